using System.CommandLine;
using System.Globalization;
using AmiPki.Core.Storage;

namespace AmiPki.Cli.Commands;

/// <summary><c>amipki list</c>: certificates, filtered by profile, status and expiry.</summary>
public static class ListCommand
{
    public static Command Create()
    {
        var profile = new Option<string?>("--profile") { Description = "Only this profile" };
        var status = new Option<string?>("--status") { Description = "issued, signing, outcome-unknown, failed, revoked (on-hold too) or valid" };
        var expiringBefore = new Option<DateTimeOffset?>("--expiring-before") { Description = "Only certificates whose notAfter is before this date (ISO 8601)" };
        var issuer = new Option<string?>("--issuer") { Description = "Only this CA" };
        var limit = new Option<int>("--limit") { Description = "At most this many rows", DefaultValueFactory = _ => 100 };
        var command = new Command("list", "List certificates") { profile, status, expiringBefore, issuer, limit };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var statusValue = parseResult.GetValue(status);
            var (state, revoked) = CertificateLookup.ParseStatus(statusValue);
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            var rows = await runtime.Storage.Certificates.ListAsync(new CertificateQuery(
                Issuer: parseResult.GetValue(issuer), Profile: parseResult.GetValue(profile), State: state, Revoked: revoked,
                ExpiringBefore: parseResult.GetValue(expiringBefore), Limit: parseResult.GetValue(limit)), cancellationToken);
            Console.WriteLine($"{"SERIAL",-32}  {"ISSUER",-12} {"PROFILE",-22} {"STATE",-15} {"NOT AFTER",-20} SUBJECT");
            foreach (var row in rows)
            {
                var stateText = CertificateLookup.StatusOf(row);
                Console.WriteLine($"{row.SerialHex,-32}  {row.Issuer,-12} {row.Profile,-22} {stateText,-15} {row.NotAfter.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),-20} {row.Subject}");
            }
            Console.WriteLine($"{rows.Count} certificate(s)");
            return 0;
        }));
        return command;
    }
}
