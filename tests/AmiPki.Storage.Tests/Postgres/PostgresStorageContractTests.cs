using AmiPki.Storage.Tests.Contract;

namespace AmiPki.Storage.Tests.Postgres;

/// <summary>The storage contract, against a real PostgreSQL server (see <see cref="PostgresTestCluster"/>).</summary>
[TestFixture]
public sealed class PostgresStorageContractTests : StorageContractTests
{
    protected override StorageFactory CreateFactory() => new PostgresStorageFactory();
}
