using System.Security.Cryptography;
using AmiPki.Core.Keys;
using AmiPki.Keys.Tests.Pkcs11.Support;
using NUnit.Framework;

namespace AmiPki.Keys.Tests.Pkcs11;

/// <summary>Concurrent signing through the session pool.</summary>
public sealed class Pkcs11ConcurrencyTests
{
    [TestCase(KeyAlgorithm.EcP256)]
    [TestCase(KeyAlgorithm.Rsa2048)]
    public void Eight_threads_sign_at_once_and_every_signature_verifies(KeyAlgorithm algorithm)
    {
        const int threads = 8;
        const int signaturesPerThread = 40;
        using var provider = SoftHsm.Provider(SoftHsm.Main, poolSize: 4);
        using var key = provider.Generate(SoftHsm.UniqueLabel("conc"), algorithm);
        var results = new (byte[] Data, byte[] Signature)[threads * signaturesPerThread];
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        using var start = new Barrier(threads);

        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            try
            {
                start.SignalAndWait();
                for (var i = 0; i < signaturesPerThread; i++)
                {
                    var data = BitConverter.GetBytes(t * 1_000_000 + i);
                    results[t * signaturesPerThread + i] = (data, key.Sign(data, HashAlgorithmName.SHA256));
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.That(failures, Is.Empty);
        Assert.That(results.Count(r => SignatureCheck.Verify(key, r.Data, r.Signature, HashAlgorithmName.SHA256)), Is.EqualTo(results.Length));
        Assert.That(provider.Pool.OpenSessionCount, Is.InRange(1, 4), "the pool opened more sessions than configured");
    }

    [Test]
    public void Concurrent_callers_each_get_their_own_session()
    {
        // Four bodies that cannot finish until all four are running at once: only possible if the pool
        // lends four different sessions, which is what keeps signing from serialising on one.
        const int size = 4;
        using var provider = SoftHsm.Provider(SoftHsm.Main, poolSize: size);
        using var together = new Barrier(size);
        var handles = new System.Collections.Concurrent.ConcurrentBag<ulong>();

        var workers = Enumerable.Range(0, size).Select(_ => new Thread(() =>
            provider.Pool.Execute(session =>
            {
                handles.Add(session.Handle.Value);
                together.SignalAndWait();
                return 0;
            }, retryAfterReconnect: false))).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());

        Assert.That(handles.Distinct().Count(), Is.EqualTo(size));
        Assert.That(provider.Pool.OpenSessionCount, Is.EqualTo(size));
    }
}
