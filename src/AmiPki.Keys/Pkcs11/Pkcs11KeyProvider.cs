using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using AmiPki.Core.Keys;
using AmiPki.Keys.Pkcs11.Interop;

namespace AmiPki.Keys.Pkcs11;

/// <summary>
/// The <c>pkcs11</c> key provider: CA keys generated on, kept on and used on one token of a PKCS#11
/// module (an HSM, or SoftHSM2 in tests), addressed by RFC 7512 URIs.
/// </summary>
/// <remarks>
/// Constructing the provider loads and initialises the module; the token is found and logged in to on
/// first use (or by <see cref="Connect"/>), so a missing token or a wrong PIN surfaces at the first
/// <see cref="Open"/>, typically at start-up. Thread-safe; dispose it only after signing has stopped.
/// </remarks>
public sealed class Pkcs11KeyProvider : IKeyProvider, IDisposable
{
    /// <summary>The configuration name of this provider.</summary>
    public const string ProviderName = "pkcs11";

    /// <summary>CK_TOKEN_INFO.label and CKA_LABEL as AmiPki uses them; the token label field is 32 bytes (v2.40 §3.2).</summary>
    private const int MaxTokenLabelBytes = 32;

    private const int MaxKeyLabelBytes = 128;

    /// <summary>Length of the random CKA_ID given to a new key pair; it ties the public and private objects together.</summary>
    private const int IdBytes = 16;

    private readonly Pkcs11SessionPool _pool;
    private bool _disposed;

    /// <exception cref="KeyProviderException">The module is missing or broken, or C_Initialize failed.</exception>
    public Pkcs11KeyProvider(Pkcs11ProviderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.ModulePath);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.TokenLabel);
        ArgumentNullException.ThrowIfNull(options.PinSource);
        if (Encoding.UTF8.GetByteCount(options.TokenLabel) > MaxTokenLabelBytes)
        {
            throw new ArgumentException($"a PKCS#11 token label has at most {MaxTokenLabelBytes} bytes: '{options.TokenLabel}'", nameof(options));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SessionPoolSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.SessionPoolSize, Pkcs11ProviderOptions.MaxSessionPoolSize, nameof(options));

        Pkcs11Module module;
        try
        {
            module = Pkcs11Module.Acquire(options.ModulePath);
        }
        catch (Pkcs11CallException e)
        {
            throw new KeyProviderException($"PKCS#11 token '{options.TokenLabel}' (module '{options.ModulePath}'): {e.Message}", e);
        }
        Options = options;
        _pool = new Pkcs11SessionPool(module, options.TokenLabel, options.PinSource, options.SessionPoolSize);
    }

    public string Name => ProviderName;

    public Pkcs11ProviderOptions Options { get; }

    /// <summary>For tests: the pool and, through it, the module.</summary>
    internal Pkcs11SessionPool Pool => _pool;

    /// <summary>Finds the token and logs in now, so configuration errors show at start-up rather than at the first signature.</summary>
    /// <exception cref="KeyProviderException">Token missing, wrong PIN, module error.</exception>
    public void Connect()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _ = _pool.Execute(static _ => true, retryAfterReconnect: true);
    }

    /// <summary>
    /// Generates a key pair on the token (C_GenerateKeyPair, v2.40 §5.14). The private half is created
    /// sensitive and non-extractable, so its value can never leave the token. Refuses a label already in
    /// use on the token. Returns a key whose <see cref="ISigningKey.KeyReference"/> is its RFC 7512 URI.
    /// </summary>
    public ISigningKey Generate(string label, KeyAlgorithm algorithm)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrWhiteSpace(label);
        if (Encoding.UTF8.GetByteCount(label) > MaxKeyLabelBytes)
        {
            throw new ArgumentException($"a key label has at most {MaxKeyLabelBytes} bytes", nameof(label));
        }
        if (!Enum.IsDefined(algorithm))
        {
            throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "unknown key algorithm");
        }

        // Not retried after a reconnect: a C_GenerateKeyPair cut off by a lost token may or may not have
        // created the key, and the label check below would then refuse the retry anyway.
        return _pool.Execute(session => GenerateOnSession(session, label, algorithm), retryAfterReconnect: false);
    }

    /// <summary>Opens a key by its RFC 7512 URI (token must be this provider's; <c>object</c> and/or <c>id</c> select the key).</summary>
    public ISigningKey Open(string keyReference)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(keyReference);
        Pkcs11Uri uri;
        try
        {
            uri = Pkcs11Uri.Parse(keyReference);
        }
        catch (FormatException e)
        {
            throw new KeyProviderException($"PKCS#11 token '{Options.TokenLabel}': bad key reference: {e.Message}", e);
        }
        if (uri.Token is not null && !string.Equals(uri.Token, Options.TokenLabel, StringComparison.Ordinal))
        {
            throw new KeyProviderException(
                $"PKCS#11 token '{Options.TokenLabel}': key reference {keyReference} names token '{uri.Token}', not this provider's token");
        }
        if (uri.Type is not null && uri.Type != "private")
        {
            throw new KeyProviderException($"PKCS#11 token '{Options.TokenLabel}': key reference {keyReference} names a '{uri.Type}' object; a signing key is type=private");
        }
        return _pool.Execute(session => OpenOnSession(session, uri, keyReference), retryAfterReconnect: true);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _pool.Dispose();
    }

    private Pkcs11SigningKey GenerateOnSession(Pkcs11Session session, string label, KeyAlgorithm algorithm)
    {
        var module = _pool.Module;
        // Any object with this label, public or private, would make the URI ambiguous.
        var existing = module.FindObjects(session.Handle, new CkAttributeTemplate().Add(CkAttributeType.CKA_LABEL, label), 1);
        if (existing.Count > 0)
        {
            throw new KeyProviderException($"PKCS#11 token '{Options.TokenLabel}': an object labelled '{label}' already exists; refusing to create another");
        }

        var id = RandomNumberGenerator.GetBytes(IdBytes);
        var (publicKey, privateKey) = module.GenerateKeyPair(
            session.Handle,
            Pkcs11KeyTemplates.GenerationMechanism(algorithm),
            Pkcs11KeyTemplates.PublicKey(algorithm, label, id),
            Pkcs11KeyTemplates.PrivateKey(algorithm, label, id));
        try
        {
            var (actual, spki) = Pkcs11PublicKeyReader.Read(module, session.Handle, publicKey);
            if (actual != algorithm)
            {
                throw new FormatException($"asked for {algorithm}, the token made {actual}");
            }
            var uri = new Pkcs11Uri(Options.TokenLabel, label, id);
            return new Pkcs11SigningKey(_pool, uri, algorithm, spki, id, privateKey, session.Generation);
        }
        catch (Exception e) when (e is FormatException or Pkcs11CallException)
        {
            // Leave no half-usable key pair behind under a label that would block the next attempt.
            TryDestroy(session.Handle, publicKey);
            TryDestroy(session.Handle, privateKey);
            throw e is Pkcs11CallException call
                ? _pool.Wrap(call)
                : new KeyProviderException($"PKCS#11 token '{Options.TokenLabel}': generated key '{label}' is unusable: {e.Message}", e);
        }
    }

    private Pkcs11SigningKey OpenOnSession(Pkcs11Session session, Pkcs11Uri uri, string keyReference)
    {
        var module = _pool.Module;
        var template = new CkAttributeTemplate().Add(CkAttributeType.CKA_CLASS, CkObjectClass.CKO_PRIVATE_KEY);
        if (uri.Id is { } wantedId)
        {
            template.Add(CkAttributeType.CKA_ID, wantedId.Span);
        }
        if (uri.Object is not null)
        {
            template.Add(CkAttributeType.CKA_LABEL, uri.Object);
        }
        var found = module.FindObjects(session.Handle, template, 2);
        if (found.Count == 0)
        {
            throw new KeyProviderException($"PKCS#11 token '{Options.TokenLabel}': no private key matches {keyReference}");
        }
        if (found.Count > 1)
        {
            throw new KeyProviderException($"PKCS#11 token '{Options.TokenLabel}': more than one private key matches {keyReference}; add its id");
        }
        var privateKey = found[0];
        var id = module.GetAttribute(session.Handle, privateKey, CkAttributeType.CKA_ID);
        var label = Encoding.UTF8.GetString(module.GetAttribute(session.Handle, privateKey, CkAttributeType.CKA_LABEL));
        var keyType = module.GetAttributeULong(session.Handle, privateKey, CkAttributeType.CKA_KEY_TYPE);

        // The public half shares CKA_ID with the private half (v2.40 §4.7: CKA_ID "intended as a means of
        // distinguishing multiple public-key/private-key pairs held by the same subject").
        var publicTemplate = new CkAttributeTemplate()
            .Add(CkAttributeType.CKA_CLASS, CkObjectClass.CKO_PUBLIC_KEY)
            .Add(CkAttributeType.CKA_KEY_TYPE, keyType)
            .Add(CkAttributeType.CKA_ID, id);
        var publicKeys = module.FindObjects(session.Handle, publicTemplate, 1);
        CULong source;
        if (publicKeys.Count == 1)
        {
            source = publicKeys[0];
        }
        else if ((CkKeyType)keyType == CkKeyType.CKK_RSA)
        {
            source = privateKey;
        }
        else
        {
            throw new KeyProviderException($"PKCS#11 token '{Options.TokenLabel}': key {keyReference} has no public key object with the same CKA_ID");
        }

        KeyAlgorithm algorithm;
        byte[] spki;
        try
        {
            (algorithm, spki) = Pkcs11PublicKeyReader.Read(module, session.Handle, source);
        }
        catch (FormatException e)
        {
            throw new KeyProviderException($"PKCS#11 token '{Options.TokenLabel}': key {keyReference} cannot be used: {e.Message}", e);
        }
        var canonical = new Pkcs11Uri(Options.TokenLabel, label.Length == 0 ? null : label, id);
        return new Pkcs11SigningKey(_pool, canonical, algorithm, spki, id, privateKey, session.Generation);
    }

    private void TryDestroy(CULong session, CULong handle)
    {
        try
        {
            _pool.Module.DestroyObject(session, handle);
        }
        catch (Pkcs11CallException)
        {
            // Best effort: the error being reported is the one that matters.
        }
    }
}
