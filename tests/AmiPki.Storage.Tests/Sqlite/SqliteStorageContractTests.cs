using AmiPki.Storage.Tests.Contract;

namespace AmiPki.Storage.Tests.Sqlite;

[TestFixture]
public sealed class SqliteStorageContractTests : StorageContractTests
{
    protected override StorageFactory CreateFactory() => new SqliteStorageFactory();
}
