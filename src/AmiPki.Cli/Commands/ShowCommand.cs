using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;

namespace AmiPki.Cli.Commands;

/// <summary><c>amipki show SERIAL</c>: one certificate's record, status and PEM.</summary>
public static class ShowCommand
{
    public static Command Create()
    {
        var serial = new Argument<string>("serial") { Description = "Serial number in hex" };
        var issuer = new Option<string?>("--issuer") { Description = "The issuing CA (default: search every CA)" };
        var command = new Command("show", "Show one certificate") { serial, issuer };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var serialHex = parseResult.GetValue(serial)!.Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            var issuers = (await runtime.Storage.Cas.ListAsync(cancellationToken)).Select(c => c.Name);
            var record = await CertificateLookup.FindAsync(runtime.Storage.Certificates, parseResult.GetValue(issuer), issuers, serialHex, cancellationToken);
            if (record is null)
            {
                return CommandRunner.Fail($"no certificate with serial {serialHex}");
            }
            Console.WriteLine($"serial:      {record.SerialHex}");
            Console.WriteLine($"issuer:      {record.Issuer}");
            Console.WriteLine($"profile:     {record.Profile}");
            Console.WriteLine($"subject:     {record.Subject}");
            // The same status words as list and the admin API: revoked / on-hold win over the record's state.
            Console.WriteLine($"state:       {CertificateLookup.StatusOf(record)}");
            Console.WriteLine($"validity:    {record.NotBefore:u} .. {record.NotAfter:u}");
            Console.WriteLine($"requester:   {record.Requester} over {record.Protocol} at {record.CreatedAt:u}");
            if ((record.SystemTitle ?? record.Dcu ?? record.ManufacturerLot) is not null)
            {
                Console.WriteLine($"device:      system title {record.SystemTitle ?? "-"}, DCU {record.Dcu ?? "-"}, lot {record.ManufacturerLot ?? "-"}");
            }
            Console.WriteLine(record.Revocation is { } revocation
                ? $"revocation:  {RevocationReasons.NameOf(revocation.Reason)} at {revocation.RevokedAt:u}{(revocation.InvalidityDate is { } invalid ? $", invalid since {invalid:u}" : "")}"
                : "revocation:  not revoked");
            if (record.Der is not null)
            {
                Console.WriteLine($"sha256:      {record.Sha256Hex}");
                Console.Write(PemFiles.Encode("CERTIFICATE", record.Der));
            }
            return 0;
        }));
        return command;
    }
}
