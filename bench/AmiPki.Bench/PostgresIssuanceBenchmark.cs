using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;
using AmiPki.Server;
using Npgsql;

namespace AmiPki.Bench;

/// <summary>
/// Durable in-process issuance through the whole pipeline with PostgreSQL storage (synchronous_commit on, fsync on, group
/// commit per node), P-256 software key, meter Suite 1 profile: one node, then two nodes sharing the database. The two
/// "nodes" are two <see cref="AmiPkiRuntime"/>s in this one process (each its own storage, writer connection and audit
/// chain); the PostgreSQL server is a throwaway cluster from <c>scripts/postgres-test-cluster.sh</c> on this same machine,
/// so it competes with AmiPki for the same cores.
/// </summary>
public static class PostgresIssuanceBenchmark
{
    private const int InFlightPerNode = 128;

    public sealed record Result(int Nodes, long Issued, double Seconds, double CpuSeconds, long Commits, long DistinctSerials, bool AuditIntact)
    {
        public double PerSecond => Issued / Seconds;
    }

    public static async Task PrintAsync(TimeSpan duration)
    {
        Console.WriteLine("Durable in-process issuance on PostgreSQL (meter-s1-signing, P-256 software key, synchronous_commit=on, group commit per node;");
        Console.WriteLine("  the server is a local throwaway cluster sharing this machine's cores; two nodes = two runtimes in this one process):");
        var cluster = await Cluster.StartAsync();
        try
        {
            foreach (var nodes in new[] { 1, 2 })
            {
                var result = await RunAsync(cluster.ConnectionString, nodes, duration);
                Console.WriteLine($"  {result.Nodes} node(s), {result.Nodes * InFlightPerNode,4} in flight: {result.PerSecond,9:N0} certificates/s " +
                                  $"({result.Issued:N0} in {result.Seconds:N1} s; {result.CpuSeconds / result.Seconds:N2} cores busy in AmiPki; " +
                                  $"{(result.Commits == 0 ? 0 : (double)result.Issued / result.Commits):N1} certificates per PostgreSQL commit; " +
                                  $"{result.DistinctSerials:N0} distinct serials stored; audit {(result.AuditIntact ? "intact" : "BROKEN")})");
            }
            Console.WriteLine($"  load average at the end: {LoadAverage()}");
        }
        finally
        {
            await cluster.StopAsync();
        }
    }

    private static async Task<Result> RunAsync(string clusterConnectionString, int nodeCount, TimeSpan duration)
    {
        // Each run in its own schema, so the second starts from an empty database as the first did.
        var schema = $"bench_{nodeCount}_{Guid.NewGuid():N}"[..24];
        await ExecuteAsync(clusterConnectionString, $"CREATE SCHEMA {schema};");
        var connectionString = new NpgsqlConnectionStringBuilder(clusterConnectionString) { SearchPath = schema }.ToString();
        var data = Path.Combine(Path.GetTempPath(), "amipki-pgbench-" + Guid.NewGuid().ToString("N")[..8]);
        var runtimes = new List<AmiPkiRuntime>();
        try
        {
            // Node 1 creates the hierarchy; the others find its CAs in the database and its software keys in the shared data
            // directory (a real deployment shares an HSM instead).
            for (var node = 1; node <= nodeCount; node++)
            {
                var options = new AmiPkiOptions
                {
                    DataDirectory = data,
                    KeyPassphrase = "bench-only-passphrase",
                    ProfilesDirectory = Path.Combine(AppContext.BaseDirectory, "profiles"),
                    NodeName = $"node-{node}",
                    Storage = new AmiPkiOptions.StorageSection { Postgres = connectionString },
                };
                // Node 1 creates the instance; the others open it.
                var runtime = node == 1
                    ? await AmiPkiRuntime.CreateOrOpenAsync(options, TimeProvider.System, CancellationToken.None)
                    : await AmiPkiRuntime.OpenAsync(options, TimeProvider.System, CancellationToken.None);
                runtimes.Add(runtime);
                if (node == 1)
                {
                    await runtime.InitializeAsync("software", CancellationToken.None);
                }
            }
            var services = new List<IssuanceService>();
            foreach (var runtime in runtimes)
            {
                services.Add(await runtime.LoadAuthoritiesAsync(CancellationToken.None));
            }
            var csrs = MakeCsrs(4096);
            // Warm up: JIT, templates, connection pools, prepared statements.
            await Task.WhenAll(services.Select((s, i) => IssueForAsync(s, csrs, i * 1_000, 16, TimeSpan.FromSeconds(2))));

            var commitsBefore = await CommitsAsync(clusterConnectionString);
            var process = Process.GetCurrentProcess();
            process.Refresh();
            var cpuBefore = process.TotalProcessorTime;
            var stopwatch = Stopwatch.StartNew();
            var issued = await Task.WhenAll(services.Select((s, i) => IssueForAsync(s, csrs, i * 1_777, InFlightPerNode, duration)));
            stopwatch.Stop();
            process.Refresh();
            var commits = await CommitsAsync(clusterConnectionString) - commitsBefore;

            var distinct = (long)(await ScalarAsync(connectionString, "SELECT COUNT(DISTINCT (issuer, serial_key)) FROM certificates;"))!;
            var rows = (long)(await ScalarAsync(connectionString, "SELECT COUNT(*) FROM certificates;"))!;
            var verification = await runtimes[0].Storage.Audit.VerifyAsync(CancellationToken.None);
            return new Result(nodeCount, issued.Sum(), stopwatch.Elapsed.TotalSeconds, (process.TotalProcessorTime - cpuBefore).TotalSeconds,
                commits, distinct == rows ? distinct : -rows, verification.IsIntact);
        }
        finally
        {
            foreach (var runtime in runtimes)
            {
                await runtime.DisposeAsync();
            }
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(clusterConnectionString, $"DROP SCHEMA {schema} CASCADE;");
            Directory.Delete(data, recursive: true);
        }
    }

    private static async Task<long> IssueForAsync(IssuanceService issuance, byte[][] csrs, int start, int inFlight, TimeSpan duration)
    {
        long issued = 0;
        var requester = Requester.Administrator("bench");
        var stopwatch = Stopwatch.StartNew();
        var next = start;
        var pending = new List<Task>(inFlight);
        while (stopwatch.Elapsed < duration)
        {
            while (pending.Count < inFlight)
            {
                var csr = csrs[next++ % csrs.Length];
                pending.Add(issuance.IssueAsync(new EnrollmentRequest(csr, "meter-s1-signing", requester, EnrollmentProtocol.Cli), CancellationToken.None));
            }
            var done = await Task.WhenAny(pending);
            pending.Remove(done);
            await done;
            issued++;
        }
        await Task.WhenAll(pending);
        return issued + pending.Count;
    }

    /// <summary>Meter CSRs with distinct keys and system titles, made once before timing.</summary>
    private static byte[][] MakeCsrs(int count) => Enumerable.Range(0, count).Select(i =>
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new CertificateRequest($"CN=4D4D4D{i:X10}", key, HashAlgorithmName.SHA256).CreateSigningRequest();
    }).ToArray();

    private static async Task<long> CommitsAsync(string connectionString) =>
        (long)(await ScalarAsync(connectionString, "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database();"))!;

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    /// <summary>The throwaway cluster of <c>scripts/postgres-test-cluster.sh</c>.</summary>
    private sealed class Cluster
    {
        private Cluster(string script, string directory, string connectionString)
        {
            Script = script;
            Directory = directory;
            ConnectionString = connectionString;
        }

        public string ConnectionString { get; }

        private string Script { get; }

        private string Directory { get; }

        public static async Task<Cluster> StartAsync()
        {
            var script = FindScript();
            var (exitCode, output, error) = await RunAsync(script, "start");
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"cannot start a PostgreSQL cluster for the benchmark: {error.Trim()} " +
                                                    "(install the server with: sudo apt-get install postgresql)");
            }
            var values = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => line.Split('=', 2)).Where(parts => parts.Length == 2)
                .ToDictionary(parts => parts[0], parts => parts[1].Trim('\''), StringComparer.Ordinal);
            return new Cluster(script, values["AMIPKI_PG_DIR"], values["AMIPKI_POSTGRES"]);
        }

        public async Task StopAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await RunAsync(Script, $"stop {Directory}");
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
            await process.WaitForExitAsync();
            return (process.ExitCode, await output, await error);
        }
    }
}
