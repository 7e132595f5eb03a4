namespace AmiPki.Interop.Tests.Crash;

/// <summary>The storage backend a real-process test runs <c>amipki serve</c> on.</summary>
public enum StorageKind
{
    /// <summary>The embedded default: a SQLite file in the data directory.</summary>
    Sqlite,

    /// <summary>A fresh database in the run's throwaway PostgreSQL cluster, selected with <c>AMIPKI_POSTGRES</c>.</summary>
    Postgres,
}
