using System.Security.Cryptography;
using AmiPki.Core.Keys;

namespace AmiPki.Keys.Testing;

/// <summary>
/// TEST-ONLY. Wraps a key provider so that every signature waits while a file exists (<c>AmiPki:Testing:SigningHoldFile</c>,
/// env <c>AMIPKI_Testing__SigningHoldFile</c>; unset by default, and then this class is not used at all). The crash tests
/// create the file, so requests pile up between the durable reservation of their serial and their signature, and then
/// SIGKILL the server: every kill leaves orphaned intents for recovery, whatever the machine's speed.
/// Each held signature writes one line <c>amipki: testing: signature held ...</c> to stderr when it starts waiting.
/// Not for production: a stray file would stop every issuance, CRL and OCSP signature of software keys.
/// </summary>
public sealed class SigningHoldKeyProvider : IKeyProvider
{
    /// <summary>The start of the stderr line each held signature writes.</summary>
    public const string HeldMarker = "amipki: testing: signature held";

    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(10);
    private readonly IKeyProvider _inner;
    private readonly string _holdFile;

    public SigningHoldKeyProvider(IKeyProvider inner, string holdFile)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentException.ThrowIfNullOrWhiteSpace(holdFile);
        _inner = inner;
        _holdFile = Path.GetFullPath(holdFile);
    }

    public string Name => _inner.Name;

    public ISigningKey Generate(string label, KeyAlgorithm algorithm) => new HeldKey(_inner.Generate(label, algorithm), _holdFile);

    public ISigningKey Open(string keyReference) => new HeldKey(_inner.Open(keyReference), _holdFile);

    private sealed class HeldKey(ISigningKey inner, string holdFile) : ISigningKey
    {
        public string KeyReference => inner.KeyReference;

        public KeyAlgorithm Algorithm => inner.Algorithm;

        public ReadOnlyMemory<byte> SubjectPublicKeyInfo => inner.SubjectPublicKeyInfo;

        public byte[] Sign(ReadOnlySpan<byte> data, HashAlgorithmName hash)
        {
            if (File.Exists(holdFile))
            {
                Console.Error.WriteLine($"{HeldMarker} ({inner.KeyReference}) while {holdFile} exists");
                while (File.Exists(holdFile))
                {
                    Thread.Sleep(Poll);
                }
            }
            return inner.Sign(data, hash);
        }

        public void Dispose() => inner.Dispose();
    }
}
