namespace AmiPki.Interop.Tests.Crash;

/// <summary>
/// The storage backend a real-process test runs <c>amipki serve</c> on. SQLite only for now; a PostgreSQL kind adds its
/// case here (the environment or init arguments that select it) and in <see cref="StoreProbe.OpenAsync"/>.
/// </summary>
public enum StorageKind
{
    Sqlite,
}

/// <summary>How <see cref="Support.AmiPkiServer.StartAsync"/> is told which backend to use.</summary>
public static class StorageKinds
{
    /// <summary>Added to the server's environment (null: the embedded SQLite default in the data directory).</summary>
    public static IDictionary<string, string>? Environment(StorageKind kind) => kind switch
    {
        StorageKind.Sqlite => null,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown storage kind"),
    };
}
