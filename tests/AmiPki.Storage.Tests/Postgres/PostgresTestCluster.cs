using System.Diagnostics;

namespace AmiPki.Storage.Tests.Postgres;

/// <summary>
/// A real PostgreSQL server for the tests: a throwaway cluster started by <c>scripts/postgres-test-cluster.sh</c> (Debian's
/// <c>postgresql</c> binaries, a temporary data directory, a free loopback port), shared by every PostgreSQL test of the
/// run and deleted at the end (<see cref="PostgresClusterSetUp"/>). Each test gets its own schema in it.
/// </summary>
public sealed class PostgresTestCluster
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static PostgresTestCluster? _shared;

    private PostgresTestCluster(string script, string directory, string connectionString)
    {
        Script = script;
        Directory = directory;
        ConnectionString = connectionString;
    }

    /// <summary>The superuser's connection string to the cluster's <c>postgres</c> database.</summary>
    public string ConnectionString { get; }

    public string Directory { get; }

    private string Script { get; }

    /// <summary>The run's cluster, started on first use.</summary>
    public static async Task<PostgresTestCluster> SharedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return _shared ??= await StartAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Stops and deletes the run's cluster, if one was started.</summary>
    public static async Task StopSharedAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_shared is { } cluster)
            {
                _shared = null;
                await RunAsync(cluster.Script, $"stop {cluster.Directory}");
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<PostgresTestCluster> StartAsync()
    {
        var script = FindScript();
        var (exitCode, output, error) = await RunAsync(script, "start");
        if (exitCode != 0)
        {
            throw new InvalidOperationException(
                $"cannot start a PostgreSQL test cluster ({script} exited with {exitCode}): {error.Trim()}\n" +
                "The PostgreSQL tests need Debian's server binaries: sudo apt-get install postgresql (or bash scripts/install-test-peers.sh).");
        }
        var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2))
            .Where(parts => parts.Length == 2)
            .ToDictionary(parts => parts[0], parts => parts[1].Trim('\''), StringComparer.Ordinal);
        if (!values.TryGetValue("AMIPKI_PG_DIR", out var directory) || !values.TryGetValue("AMIPKI_POSTGRES", out var connectionString))
        {
            throw new InvalidOperationException($"{script} start printed no cluster: {output}");
        }
        return new PostgresTestCluster(script, directory, connectionString);
    }

    private static string FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "scripts", "postgres-test-cluster.sh");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"scripts/postgres-test-cluster.sh not found above {AppContext.BaseDirectory}");
    }

    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(string script, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo("bash", $"{script} {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("cannot run bash");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await error);
    }
}

/// <summary>Deletes the run's cluster once every test of this namespace has run.</summary>
[SetUpFixture]
public sealed class PostgresClusterSetUp
{
    [OneTimeTearDown]
    public Task StopCluster() => PostgresTestCluster.StopSharedAsync();
}
