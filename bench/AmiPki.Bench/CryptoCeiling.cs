using System.Diagnostics;
using System.Security.Cryptography;

namespace AmiPki.Bench;

/// <summary>This machine's own ECDSA P-256 sign and verify rates, measured in the same run as the figures they frame.</summary>
public static class CryptoCeiling
{
    public sealed record Rates(double SignPerSecond, double VerifyPerSecond);

    public static Rates Measure(int threads, TimeSpan duration)
    {
        var sign = Run(threads, duration, key =>
        {
            var data = new byte[300];
            return () => key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        });
        var verify = Run(threads, duration, key =>
        {
            var data = new byte[300];
            var signature = key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
            return () => key.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
        });
        return new Rates(sign, verify);
    }

    private static double Run(int threads, TimeSpan duration, Func<ECDsa, Func<object>> makeOperation)
    {
        long total = 0;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var operation = makeOperation(key);
            long count = 0;
            while (stopwatch.Elapsed < duration)
            {
                operation();
                count++;
            }
            Interlocked.Add(ref total, count);
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return total / stopwatch.Elapsed.TotalSeconds;
    }
}
