using System.Runtime.InteropServices;
using System.Security.Cryptography;
using AmiPki.Core.Asn1;
using AmiPki.Core.Keys;
using AmiPki.Keys.Pkcs11.Interop;

namespace AmiPki.Keys.Pkcs11;

/// <summary>
/// A private key that lives on a PKCS#11 token and signs there. The digest is computed here and only the
/// digest crosses to the token: CKM_ECDSA and CKM_RSA_PKCS are the raw mechanisms every token offers,
/// and hashing a large TBSCertificate on a slow HSM link would be the bottleneck.
/// </summary>
public sealed class Pkcs11SigningKey : ISigningKey
{
    private readonly Pkcs11SessionPool _pool;
    private readonly byte[] _id;
    private readonly byte[] _spki;
    private readonly CkMechanismType _mechanism;
    private readonly int _signatureLength;
    private HandleCache _handle;
    private volatile bool _disposed;

    internal Pkcs11SigningKey(
        Pkcs11SessionPool pool, Pkcs11Uri reference, KeyAlgorithm algorithm, byte[] subjectPublicKeyInfo, byte[] id, CULong handle, int generation)
    {
        _pool = pool;
        Reference = reference;
        KeyReference = reference.ToString();
        Algorithm = algorithm;
        _spki = subjectPublicKeyInfo;
        _id = id;
        _mechanism = algorithm.IsEc() ? CkMechanismType.CKM_ECDSA : CkMechanismType.CKM_RSA_PKCS;
        _signatureLength = Pkcs11KeyTemplates.SignatureLength(algorithm);
        _handle = new HandleCache(generation, handle);
    }

    /// <summary>The RFC 7512 URI: <c>pkcs11:token=...;object=...;id=%..</c>.</summary>
    public string KeyReference { get; }

    /// <summary>The parsed form of <see cref="KeyReference"/>.</summary>
    public Pkcs11Uri Reference { get; }

    public KeyAlgorithm Algorithm { get; }

    public ReadOnlyMemory<byte> SubjectPublicKeyInfo => _spki;

    /// <inheritdoc />
    /// <exception cref="KeyProviderException">The token refused or is gone; the message names the token and the CKR_ code.</exception>
    public byte[] Sign(ReadOnlySpan<byte> data, HashAlgorithmName hash)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (hash != HashAlgorithmName.SHA256 && hash != HashAlgorithmName.SHA384 && hash != HashAlgorithmName.SHA512)
        {
            throw new ArgumentException($"unsupported hash for a CA signature: {hash.Name}", nameof(hash));
        }
        var digest = CryptographicOperations.HashData(hash, data);
        // CKM_ECDSA takes the bare hash and truncates it to the order's length itself (mechanisms §2.3.1);
        // CKM_RSA_PKCS needs the DigestInfo (§2.1.6).
        var input = Algorithm.IsEc() ? digest : DigestInfoEncoder.Encode(hash, digest);
        var raw = _pool.Execute(session => SignOnSession(session, input), retryAfterReconnect: true);
        if (!Algorithm.IsEc())
        {
            return raw;
        }
        try
        {
            return EcdsaSignatureEncoder.ToDer(raw);
        }
        catch (FormatException e)
        {
            throw new KeyProviderException($"PKCS#11 token '{_pool.TokenLabel}': C_Sign returned a malformed ECDSA signature: {e.Message}", e);
        }
    }

    public void Dispose() => _disposed = true;

    private byte[] SignOnSession(Pkcs11Session session, byte[] input)
    {
        for (var attempt = 0; ; attempt++)
        {
            var key = ResolveHandle(session, forceLookup: attempt > 0);
            try
            {
                return _pool.Module.Sign(session.Handle, _mechanism, key, input, _signatureLength);
            }
            catch (Pkcs11CallException e) when (attempt == 0 && e.ReturnValue is CkRv.CKR_KEY_HANDLE_INVALID or CkRv.CKR_OBJECT_HANDLE_INVALID)
            {
                // A handle means nothing once the module was finalised (v2.40 §5.4 C_Finalize) and the
                // key may have been re-created: look it up again by CKA_ID once.
            }
        }
    }

    /// <summary>The private key's handle in this session's generation, found by CKA_ID and CKA_LABEL when stale.</summary>
    private CULong ResolveHandle(Pkcs11Session session, bool forceLookup)
    {
        var cached = Volatile.Read(ref _handle);
        if (!forceLookup && cached.Generation == session.Generation)
        {
            return cached.Handle;
        }
        var template = new CkAttributeTemplate()
            .Add(CkAttributeType.CKA_CLASS, CkObjectClass.CKO_PRIVATE_KEY)
            .Add(CkAttributeType.CKA_ID, _id);
        if (Reference.Object is not null)
        {
            template.Add(CkAttributeType.CKA_LABEL, Reference.Object);
        }
        var found = _pool.Module.FindObjects(session.Handle, template, 2);
        if (found.Count != 1)
        {
            throw new KeyProviderException(
                $"PKCS#11 token '{_pool.TokenLabel}': key {KeyReference} " + (found.Count == 0 ? "is no longer on the token" : "is ambiguous"));
        }
        Volatile.Write(ref _handle, new HandleCache(session.Generation, found[0]));
        return found[0];
    }

    private sealed record HandleCache(int Generation, CULong Handle);
}
