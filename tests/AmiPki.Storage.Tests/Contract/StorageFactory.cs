namespace AmiPki.Storage.Tests.Contract;

/// <summary>
/// One database for one test, in the dialect under test: opened (and reopened) as the same database, written around the
/// storage for tampering, and deleted at the end.
/// </summary>
public abstract class StorageFactory : IAsyncDisposable
{
    /// <summary>Opens the test's database (creating and migrating it the first time) as node <paramref name="node"/>.</summary>
    public abstract Task<IAmiPkiStorage> OpenAsync(string node, TimeProvider time);

    /// <summary>Runs SQL on a connection of its own, bypassing the storage: how the tampering tests play the attacker.</summary>
    public abstract Task ExecuteRawAsync(string sql);

    /// <summary>Deletes the database.</summary>
    public abstract ValueTask DisposeAsync();
}
