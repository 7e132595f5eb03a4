using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Authorities;
using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Profiles;

namespace AmiPki.Core.Tests.Support;

/// <summary>
/// A core under test: an in-memory hierarchy (root P-384, issuing-s1 P-256, issuing-s2 P-384) built by the real
/// HierarchyInitializer, the repository's shipped profiles, a fake store and a fake clock.
/// </summary>
public sealed class TestCa : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private TestCa(CaHierarchy authorities, ProfileSet profiles, InMemoryStore store, FakeClock clock, Dictionary<string, TestSigningKey> keys)
    {
        Authorities = authorities;
        Profiles = profiles;
        Store = store;
        Clock = clock;
        Keys = keys;
        Issuance = new IssuanceService(authorities, profiles, store, store, clock);
    }

    public CaHierarchy Authorities { get; }

    public ProfileSet Profiles { get; }

    public InMemoryStore Store { get; }

    public FakeClock Clock { get; }

    public Dictionary<string, TestSigningKey> Keys { get; }

    public IssuanceService Issuance { get; }

    public static TestCa Create()
    {
        var clock = new FakeClock(Start);
        var store = new InMemoryCaStore();
        var keys = new TestKeyProvider();
        var initializer = new HierarchyInitializer(keys, store, new InMemoryStore(), clock);
        initializer.CreateAsync(HierarchyInitializer.DevelopmentHierarchy, "AmiPki Test", "http://127.0.0.1:8080", CancellationToken.None).GetAwaiter().GetResult();
        var authorities = new CaHierarchy(store.Records.Select(r => new CertificateAuthority(r, keys.Keys[r.KeyReference])));
        foreach (var key in keys.Keys.Values)
        {
            key.Signatures = 0; // count only what the tests cause, not the hierarchy's own certificates
        }
        var profiles = ProfileLoader.LoadDirectory(Path.Combine(RepositoryRoot(), "profiles"));
        return new TestCa(authorities, profiles, new InMemoryStore(), clock, keys.Keys);
    }

    public Task<IssuedCertificate> IssueAsync(byte[] csr, string profile, string? issuer = null) =>
        Issuance.IssueAsync(new EnrollmentRequest(csr, profile, Requester.Administrator("test"), EnrollmentProtocol.Cli) { IssuerName = issuer }, CancellationToken.None);

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "AmiPki.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("repository root not found");
    }

    public void Dispose() => Authorities.Dispose();

    private sealed class TestKeyProvider : IKeyProvider
    {
        public Dictionary<string, TestSigningKey> Keys { get; } = [];

        public string Name => "test";

        public ISigningKey Generate(string label, KeyAlgorithm algorithm)
        {
            var key = new TestSigningKey(algorithm);
            Keys["test:" + label] = key;
            return new NonDisposingKey(key, "test:" + label);
        }

        public ISigningKey Open(string keyReference) => Keys[keyReference];
    }

    /// <summary>The initializer disposes what it generated; the hierarchy keeps using the same key.</summary>
    private sealed class NonDisposingKey(TestSigningKey inner, string reference) : ISigningKey
    {
        public string KeyReference => reference;

        public KeyAlgorithm Algorithm => inner.Algorithm;

        public ReadOnlyMemory<byte> SubjectPublicKeyInfo => inner.SubjectPublicKeyInfo;

        public byte[] Sign(ReadOnlySpan<byte> data, HashAlgorithmName hash) => inner.Sign(data, hash);

        public void Dispose()
        {
        }
    }

    private sealed class InMemoryCaStore : ICaStore
    {
        public List<CaRecord> Records { get; } = [];

        public Task<IReadOnlyList<CaRecord>> ListAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<CaRecord>>(Records.ToList());

        public Task SaveAsync(CaRecord record, CancellationToken cancellationToken)
        {
            Records.RemoveAll(r => r.Name == record.Name);
            Records.Add(record);
            return Task.CompletedTask;
        }
    }
}
