using AmiPki.Storage.Migrations;

namespace AmiPki.Storage.Tests;

/// <summary>Both dialects describe a database by one schema version, so they must have the same migrations.</summary>
[TestFixture]
public sealed class MigrationCatalogTests
{
    [Test]
    public void Sqlite_and_postgres_have_the_same_migrations_numbered_from_one()
    {
        var sqlite = MigrationCatalog.Load(MigrationCatalog.Sqlite);
        var postgres = MigrationCatalog.Load(MigrationCatalog.Postgres);

        Assert.That(sqlite, Is.Not.Empty);
        Assert.That(postgres.Select(m => (m.Version, m.Name)), Is.EqualTo(sqlite.Select(m => (m.Version, m.Name))));
    }
}
