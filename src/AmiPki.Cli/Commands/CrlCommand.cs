using System.CommandLine;
using AmiPki.Core.Crl;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki crl --issuer I --out FILE</c>: builds and signs a complete CRL now (DER, or PEM with <c>--pem</c>). It takes the
/// next number from the shared CRL sequence, so numbers stay monotonic beside a running server.
/// </summary>
public static class CrlCommand
{
    public static Command Create()
    {
        var issuer = new Option<string>("--issuer") { Description = "CA whose CRL to build", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the CRL", Required = true };
        var pem = new Option<bool>("--pem") { Description = "Write PEM (X509 CRL) instead of DER" };
        var validity = new Option<int>("--validity-hours") { Description = "nextUpdate − thisUpdate, in hours", DefaultValueFactory = _ => 24 };
        var command = new Command("crl", "Build and sign a complete CRL for one CA") { issuer, output, pem, validity };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var hours = parseResult.GetValue(validity);
            if (hours <= 0)
            {
                throw new ArgumentException("--validity-hours must be positive");
            }
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            await runtime.LoadAuthoritiesAsync(cancellationToken);
            var name = parseResult.GetValue(issuer)!;
            var authority = runtime.Authorities!.Find(name)
                ?? throw new ArgumentException($"no CA named '{name}' (known: {string.Join(", ", runtime.Authorities.Names)})");
            var generator = new CrlGenerator(runtime.Storage.Revocations, runtime.Time, runtime.AuditLog);
            var crl = await generator.BuildFullAsync(authority, TimeSpan.FromHours(hours), withFreshest: true, cancellationToken);
            var path = parseResult.GetValue(output)!.FullName;
            if (parseResult.GetValue(pem))
            {
                await File.WriteAllTextAsync(path, PemFiles.Encode("X509 CRL", crl.Der), cancellationToken);
            }
            else
            {
                await File.WriteAllBytesAsync(path, crl.Der, cancellationToken);
            }
            Console.WriteLine($"CRL #{crl.Number} of {name}: {crl.EntryCount} entries, nextUpdate {crl.NextUpdate:u}: {path}");
            return 0;
        }));
        return command;
    }
}
