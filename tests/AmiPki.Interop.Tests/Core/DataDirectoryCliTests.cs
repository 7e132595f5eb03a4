using System.Globalization;
using AmiPki.Interop.Tests.Support;

namespace AmiPki.Interop.Tests.Core;

/// <summary>
/// A data directory that holds no AmiPki instance (a mistyped <c>--data</c>) is refused by every command but <c>init</c>,
/// in one line naming it and saying to run <c>amipki init --data DIR</c>, creating nothing: no directory, no database.
/// Before, <c>list</c> printed "0 certificate(s)" and <c>audit verify</c> "intact: 0 entries" (exit 0) over a database it
/// had just created. And the database <c>init</c> creates, with its <c>-wal</c> and <c>-shm</c> files, is 0600.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // Unix file modes
public sealed class DataDirectoryCliTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static string FreshPath() => Path.Combine(Path.GetTempPath(), "amipki-nodata-" + Guid.NewGuid().ToString("N")[..12]);

    private static IEnumerable<TestCaseData> Commands()
    {
        yield return new TestCaseData((object)new[] { "list" }).SetArgDisplayNames("list");
        yield return new TestCaseData((object)new[] { "audit", "verify" }).SetArgDisplayNames("audit verify");
        yield return new TestCaseData((object)new[] { "serve", "--listen", "127.0.0.1", "--http-port", "{http}", "--https-port", "0", "--coaps-port", "0" })
            .SetArgDisplayNames("serve");
    }

    /// <summary>The command line with a free port where it asks for one (a serve that started would listen there).</summary>
    private static string[] WithPorts(string[] arguments) =>
        arguments.Select(a => a == "{http}" ? FreePort.Tcp().ToString(CultureInfo.InvariantCulture) : a).ToArray();

    [TestCaseSource(nameof(Commands))]
    public async Task A_missing_data_directory_is_refused_in_one_line_and_not_created(string[] command)
    {
        var data = FreshPath();
        var result = await AmiPkiServer.RunCliAsync(data, WithPorts(command));

        AssertRefused(result, data, "the directory does not exist");
        Assert.That(Directory.Exists(data), Is.False, "the refused command created the data directory");
    }

    [TestCaseSource(nameof(Commands))]
    public async Task An_empty_data_directory_is_refused_in_one_line_and_stays_empty(string[] command)
    {
        var data = FreshPath();
        Directory.CreateDirectory(data);
        try
        {
            var result = await AmiPkiServer.RunCliAsync(data, WithPorts(command));

            AssertRefused(result, data, "it has no amipki.db");
            Assert.That(Directory.EnumerateFileSystemEntries(data), Is.Empty, "the refused command created files in the data directory");
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [TestCaseSource(nameof(Commands))]
    public async Task A_database_without_CAs_is_refused_and_left_untouched(string[] command)
    {
        var data = FreshPath();
        Directory.CreateDirectory(data);
        var database = Path.Combine(data, "amipki.db");
        await File.WriteAllBytesAsync(database, []);
        try
        {
            var result = await AmiPkiServer.RunCliAsync(data, WithPorts(command));

            AssertRefused(result, data, "amipki.db holds no CA");
            Assert.That(new FileInfo(database).Length, Is.Zero, "the refused command migrated the empty database");
            Assert.That(Directory.EnumerateFileSystemEntries(data).Select(Path.GetFileName), Is.EquivalentTo(new[] { "amipki.db" }));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    [Test]
    public async Task A_command_needing_no_data_directory_still_runs_without_one_and_creates_none()
    {
        var data = FreshPath();
        var shown = await AmiPkiServer.RunCliAsync(data, "profiles", "show", "hes-client");
        Assert.That(shown.ExitCode, Is.EqualTo(0), shown.Describe());
        Assert.That(Directory.Exists(data), Is.False);
    }

    [Test]
    public async Task Init_creates_the_database_and_its_wal_and_shm_files_owner_only()
    {
        // Checked while `amipki serve` holds the database open: then the -wal and -shm files exist.
        await using var server = await AmiPkiServer.StartAsync();
        var files = new[] { "amipki.db", "amipki.db-wal", "amipki.db-shm" }.Select(f => Path.Combine(server.DataDirectory, f)).ToList();
        Assert.That(files, Is.All.Matches<string>(File.Exists), "serve keeps the database in WAL mode");
        foreach (var file in files)
        {
            Assert.That(File.GetUnixFileMode(file), Is.EqualTo(OwnerOnly), $"{file} is {File.GetUnixFileMode(file)}");
        }
        Assert.That(File.GetUnixFileMode(server.DataDirectory), Is.EqualTo(OwnerOnly | UnixFileMode.UserExecute));

        // And what the CLI leaves after it closed the database (SQLite removes an empty -wal on close; if one stays, it is 0600).
        var list = await server.CliAsync("list");
        Assert.That(list.ExitCode, Is.EqualTo(0), list.Describe());
        foreach (var file in files.Where(File.Exists))
        {
            Assert.That(File.GetUnixFileMode(file), Is.EqualTo(OwnerOnly), $"{file} is {File.GetUnixFileMode(file)}");
        }
    }

    [Test]
    public async Task Init_alone_leaves_an_owner_only_database_and_then_list_and_audit_verify_open_it()
    {
        var data = FreshPath();
        try
        {
            var init = await AmiPkiServer.RunCliAsync(data, "init");
            Assert.That(init.ExitCode, Is.EqualTo(0), init.Describe());
            foreach (var file in new[] { "amipki.db", "amipki.db-wal", "amipki.db-shm" }.Select(f => Path.Combine(data, f)).Where(File.Exists))
            {
                Assert.That(File.GetUnixFileMode(file), Is.EqualTo(OwnerOnly), $"{file} is {File.GetUnixFileMode(file)}");
            }
            Assert.That(File.Exists(Path.Combine(data, "amipki.db")), Is.True);

            var list = await AmiPkiServer.RunCliAsync(data, "list");
            Assert.That(list.ExitCode, Is.EqualTo(0), list.Describe());
            Assert.That(list.StandardOutput, Does.Contain("0 certificate(s)"));
            var verify = await AmiPkiServer.RunCliAsync(data, "audit", "verify");
            Assert.That(verify.ExitCode, Is.EqualTo(0), verify.Describe());
            Assert.That(verify.StandardOutput, Does.Match(@"audit log intact: [1-9]\d* entries verified"), "init's own entries are there");
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }

    private static void AssertRefused(ProcessResult result, string data, string why)
    {
        var full = Path.GetFullPath(data);
        Assert.That(result.ExitCode, Is.Not.Zero, result.Describe());
        Assert.That(result.StandardOutput, Is.Empty, result.Describe());
        var lines = result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(1), result.Describe());
        Assert.That(lines[0], Does.Contain($"no AmiPki instance in {full}").And.Contain(why).And.Contain($"amipki init --data {full}"), result.Describe());
    }
}
