using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Audit;
using AmiPki.Core.Authorities;
using AmiPki.Core.Issuance;
using AmiPki.Core.Keys;
using AmiPki.Core.Profiles;
using AmiPki.Core.Storage;
using AmiPki.Storage.Postgres;

namespace AmiPki.Storage.Tests.Postgres;

/// <summary>
/// The core's issuance pipeline on two nodes sharing one PostgreSQL database: the CA hierarchy created through one node
/// and loaded by the other, and the pipeline's serial-collision path driven by a real cross-node collision.
/// </summary>
[TestFixture]
public sealed class CoreIssuanceOnPostgresTests
{
    private const string Profile = "meter-s1-signing";

    private PostgresStorageFactory _database = null!;
    private PostgresStorage _nodeA = null!;
    private PostgresStorage _nodeB = null!;
    private CaHierarchy _authoritiesA = null!;
    private CaHierarchy _authoritiesB = null!;
    private ProfileSet _profiles = null!;

    [SetUp]
    public async Task CreateHierarchy()
    {
        _database = new PostgresStorageFactory();
        _nodeA = await _database.OpenStorageAsync("node-a", TimeProvider.System);
        _nodeB = await _database.OpenStorageAsync("node-b", TimeProvider.System);
        var keys = new InMemoryKeyProvider();
        await new HierarchyInitializer(keys, _nodeA.Cas, _nodeA.Audit, TimeProvider.System)
            .CreateAsync(HierarchyInitializer.DevelopmentHierarchy, "AmiPki Test", "http://127.0.0.1:8080", CancellationToken.None);
        var providers = new Dictionary<string, IKeyProvider> { [keys.Name] = keys };
        _authoritiesA = await CaLoader.LoadAsync(_nodeA.Cas, providers, CancellationToken.None);
        _authoritiesB = await CaLoader.LoadAsync(_nodeB.Cas, providers, CancellationToken.None);
        _profiles = ProfileLoader.LoadDirectory(Path.Combine(RepositoryRoot(), "profiles"));
    }

    [TearDown]
    public async Task Close()
    {
        _authoritiesA.Dispose();
        _authoritiesB.Dispose();
        await _nodeA.DisposeAsync();
        await _nodeB.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Test]
    public async Task A_serial_another_node_reserved_first_makes_the_pipeline_draw_a_new_one()
    {
        var colliding = new CollidingStore(_nodeA.Issuance, _nodeB.Issuance);
        var issuance = new IssuanceService(_authoritiesA, _profiles, colliding, _nodeA.Audit, TimeProvider.System);

        var issued = await issuance.IssueAsync(Request(1), CancellationToken.None);

        var taken = colliding.TakenByOtherNode.Single();
        Assert.That(issued.SerialHex, Is.Not.EqualTo(taken.SerialHex).IgnoreCase, "a new serial after the collision");
        Assert.That((await _nodeA.Certificates.FindAsync(issued.Issuer.Name, issued.SerialHex, CancellationToken.None))!.State,
            Is.EqualTo(CertificateState.Issued));
        var held = await _nodeA.Certificates.FindAsync(taken.Issuer, taken.SerialHex, CancellationToken.None);
        Assert.That(held!.State, Is.EqualTo(CertificateState.Signing), "the other node's reservation is untouched");
        Assert.That(held.Requester, Is.EqualTo("node-b"));
        Assert.That((await _nodeA.Audit.VerifyAsync(CancellationToken.None)).IsIntact, Is.True);
    }

    [Test]
    public async Task Two_nodes_issue_concurrently_through_the_pipeline_and_every_certificate_is_readable_from_both()
    {
        var services = new[]
        {
            new IssuanceService(_authoritiesA, _profiles, _nodeA.Issuance, _nodeA.Audit, TimeProvider.System),
            new IssuanceService(_authoritiesB, _profiles, _nodeB.Issuance, _nodeB.Audit, TimeProvider.System),
        };

        var issued = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => services[i % 2].IssueAsync(Request(i), CancellationToken.None))));

        Assert.That(issued.Select(c => c.SerialHex.ToLowerInvariant()), Is.Unique);
        foreach (var certificate in issued)
        {
            foreach (var node in new[] { _nodeA, _nodeB })
            {
                var record = await node.Certificates.FindAsync(certificate.Issuer.Name, certificate.SerialHex, CancellationToken.None);
                Assert.That(record?.Der, Is.EqualTo(certificate.Der), $"serial {certificate.SerialHex}");
            }
        }
        var verification = await _nodeB.Audit.VerifyAsync(CancellationToken.None);
        Assert.That(verification.IsIntact, Is.True, verification.Problem);
        var heads = (await _nodeB.Audit.ReadHeadsAsync(CancellationToken.None)).ToDictionary(h => h.Node, h => h.Sequence);
        Assert.That(heads["node-b"], Is.EqualTo(100), "node B's chain holds node B's issuances");
    }

    private static EnrollmentRequest Request(int n)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest($"CN=4D4D4D{n:X10}", key, HashAlgorithmName.SHA256).CreateSigningRequest();
        return new EnrollmentRequest(csr, Profile, Requester.Administrator("test"), EnrollmentProtocol.Cli);
    }

    private static string RepositoryRoot()
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

    /// <summary>
    /// Node A's issuance store, except that the first serial node A tries is reserved by node B just before: a collision
    /// between nodes, which 127 random bits make too rare to wait for.
    /// </summary>
    private sealed class CollidingStore(IIssuanceStore nodeA, IIssuanceStore nodeB) : IIssuanceStore
    {
        public ConcurrentBag<IssuanceIntent> TakenByOtherNode { get; } = [];

        public async Task<bool> TryReserveAsync(IssuanceIntent intent, CancellationToken cancellationToken)
        {
            if (TakenByOtherNode.IsEmpty)
            {
                var otherNodes = intent with { Requester = "node-b" };
                Assert.That(await nodeB.TryReserveAsync(otherNodes, cancellationToken), Is.True);
                TakenByOtherNode.Add(otherNodes);
            }
            return await nodeA.TryReserveAsync(intent, cancellationToken);
        }

        public Task CompleteAsync(string issuer, string serialHex, byte[] der, string sha256Hex, AuditEvent audit, CancellationToken cancellationToken) =>
            nodeA.CompleteAsync(issuer, serialHex, der, sha256Hex, audit, cancellationToken);

        public Task AbandonAsync(string issuer, string serialHex, AuditEvent audit, CancellationToken cancellationToken) =>
            nodeA.AbandonAsync(issuer, serialHex, audit, cancellationToken);

        public Task<IReadOnlyList<IssuanceIntent>> MarkOutcomeUnknownAsync(DateTimeOffset reservedBefore, Func<IssuanceIntent, AuditEvent> audit,
            CancellationToken cancellationToken) => nodeA.MarkOutcomeUnknownAsync(reservedBefore, audit, cancellationToken);
    }

    /// <summary>Throwaway in-memory ECDSA CA keys, generated per test (never written anywhere).</summary>
    private sealed class InMemoryKeyProvider : IKeyProvider
    {
        private readonly ConcurrentDictionary<string, InMemoryKey> _keys = new(StringComparer.Ordinal);

        public string Name => "test";

        public ISigningKey Generate(string label, KeyAlgorithm algorithm)
        {
            var key = new InMemoryKey($"test:{label}", algorithm);
            _keys[key.KeyReference] = key;
            return key;
        }

        public ISigningKey Open(string keyReference) => _keys[keyReference];
    }

    /// <summary>Disposing does nothing: the initializer disposes what it generated, and the hierarchy opens the same key again.</summary>
    private sealed class InMemoryKey : ISigningKey
    {
        private readonly ECDsa _key;

        public InMemoryKey(string reference, KeyAlgorithm algorithm)
        {
            KeyReference = reference;
            Algorithm = algorithm;
            _key = ECDsa.Create(algorithm switch
            {
                KeyAlgorithm.EcP256 => ECCurve.NamedCurves.nistP256,
                KeyAlgorithm.EcP384 => ECCurve.NamedCurves.nistP384,
                KeyAlgorithm.EcP521 => ECCurve.NamedCurves.nistP521,
                _ => throw new NotSupportedException($"the test key provider makes EC keys only, not {algorithm}"),
            });
            SubjectPublicKeyInfo = _key.ExportSubjectPublicKeyInfo();
        }

        public string KeyReference { get; }

        public KeyAlgorithm Algorithm { get; }

        public ReadOnlyMemory<byte> SubjectPublicKeyInfo { get; }

        public byte[] Sign(ReadOnlySpan<byte> data, HashAlgorithmName hash)
        {
            lock (_key)
            {
                return _key.SignData(data, hash, DSASignatureFormat.Rfc3279DerSequence);
            }
        }

        public void Dispose()
        {
        }
    }
}
