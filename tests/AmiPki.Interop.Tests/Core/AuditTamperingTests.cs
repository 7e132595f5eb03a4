using AmiPki.Interop.Tests.Support;
using Microsoft.Data.Sqlite;

namespace AmiPki.Interop.Tests.Core;

/// <summary>`amipki audit verify` on a real data directory whose SQLite file was tampered with behind AmiPki's back.</summary>
public sealed class AuditTamperingTests
{
    private static async Task<DataDirectory> WithHistoryAsync()
    {
        var data = await DataDirectory.InitAsync();
        var csr = data.File("d.csr");
        var request = await data.OpenSslAsync("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", data.File("d.key"), "-subj", "/CN=DCU-1", "-out", csr);
        Assert.That(request.ExitCode, Is.EqualTo(0), request.Describe());
        for (var i = 0; i < 3; i++)
        {
            var issue = await data.CliAsync("issue", "--profile", "dcu", "--csr", csr, "--out", data.File($"d{i}.pem"));
            Assert.That(issue.ExitCode, Is.EqualTo(0), issue.Describe());
        }
        return data;
    }

    private static async Task ExecuteAsync(DataDirectory data, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={data.Database};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        Assert.That(await command.ExecuteNonQueryAsync(), Is.GreaterThan(0), sql);
    }

    // init writes 3 entries (one per CA), then 3 issuances: 6 entries.
    [TestCase("DELETE FROM audit_log WHERE seq = 4", 4, "missing")]
    [TestCase("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 5", 5, "altered")]
    [TestCase("UPDATE audit_log SET seq = -1 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = -1", 2, "")]
    [TestCase("DELETE FROM audit_log WHERE seq >= 5", 5, "truncated")]
    public async Task Tampering_is_detected_and_the_first_bad_entry_named(string tamper, int firstBad, string problem)
    {
        using var data = await WithHistoryAsync();
        var before = await data.CliAsync("audit", "verify");
        Assert.That(before.ExitCode, Is.EqualTo(0), before.Describe());
        Assert.That(before.StandardOutput, Does.Contain("6 entries verified"));

        await ExecuteAsync(data, tamper);

        var after = await data.CliAsync("audit", "verify");
        Assert.That(after.ExitCode, Is.EqualTo(4), after.Describe());
        Assert.That(after.StandardError, Does.Contain($"audit log broken at sequence {firstBad}:"), after.Describe());
        Assert.That(after.StandardError, Does.Contain(problem), after.Describe());
    }
}
