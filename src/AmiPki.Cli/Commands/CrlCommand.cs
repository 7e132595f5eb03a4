using System.CommandLine;
using AmiPki.Core.Audit;
using AmiPki.Core.Crl;
using AmiPki.Protocols.Crl;
using Microsoft.Extensions.DependencyInjection;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki crl --issuer I --out FILE</c>: builds and signs a complete CRL now (DER, or PEM with <c>--pem</c>). It takes the
/// next number from the shared CRL sequence, so numbers stay monotonic beside a running server.
/// <c>amipki crl publish [--ca NAME]</c>: publishes new CRLs through <see cref="CrlPublisher"/>, as the admin API's publish
/// (one CA, a new delta base) and the <c>crl-publication</c> job (every online CA) do.
/// </summary>
public static class CrlCommand
{
    public static Command Create()
    {
        var issuer = new Option<string>("--issuer") { Description = "CA whose CRL to build (required without a subcommand)" };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the CRL (required without a subcommand)" };
        var pem = new Option<bool>("--pem") { Description = "Write PEM (X509 CRL) instead of DER" };
        var validity = new Option<int>("--validity-hours") { Description = "nextUpdate − thisUpdate, in hours", DefaultValueFactory = _ => 24 };
        var command = new Command("crl", "Build and sign a complete CRL for one CA; `crl publish` publishes new CRLs") { issuer, output, pem, validity, Publish() };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            // Required here, not on the options: `crl publish` does without them.
            if (parseResult.GetValue(issuer) is not { Length: > 0 } name || parseResult.GetValue(output) is not { } file)
            {
                throw new ArgumentException("crl needs --issuer and --out (or use `amipki crl publish [--ca NAME]`)");
            }
            var hours = parseResult.GetValue(validity);
            if (hours <= 0)
            {
                throw new ArgumentException("--validity-hours must be positive");
            }
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            await runtime.LoadAuthoritiesAsync(cancellationToken);
            var authority = runtime.Authorities!.Find(name)
                ?? throw new ArgumentException($"no CA named '{name}' (known: {string.Join(", ", runtime.Authorities.Names)})");
            var generator = new CrlGenerator(runtime.Storage.Revocations, runtime.Time, runtime.AuditLog);
            var crl = await generator.BuildFullAsync(authority, TimeSpan.FromHours(hours), withFreshest: true, cancellationToken);
            var path = file.FullName;
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

    private static Command Publish()
    {
        var ca = new Option<string?>("--ca") { Description = "The online CA to publish for (default: every online CA)" };
        var command = new Command("publish", "Publish new CRLs now, for one CA or every online CA") { ca };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            await using var services = await CliJobServices.BuildAsync(runtime, cancellationToken);
            var publisher = services.GetRequiredService<CrlPublisher>();
            var actor = CredentialCommands.Actor;
            var known = string.Join(", ", publisher.Issuers.Order(StringComparer.Ordinal));
            List<PublishedCrl> published;
            if (parseResult.GetValue(ca) is { Length: > 0 } name)
            {
                if (!publisher.Issuers.Contains(name))
                {
                    await runtime.AuditLog.AppendAsync(new AuditEvent(runtime.Time.GetUtcNow(), "crl", actor, "refused",
                        $"crl publish issuer={name}: no online CA of that name"), CancellationToken.None);
                    return CommandRunner.Fail($"no online CA named '{name}' (CRLs are published for: {known})");
                }
                published = [(await publisher.RebuildAsync(name, newBase: true, cancellationToken)).Full];
            }
            else
            {
                published = [.. await publisher.PublishAllAsync(cancellationToken)];
            }
            foreach (var crl in published)
            {
                await runtime.AuditLog.AppendAsync(new AuditEvent(runtime.Time.GetUtcNow(), "crl", actor, "success",
                    $"crl publish issuer={crl.Issuer} number={crl.Number} nextUpdate={crl.NextUpdate:O}"), CancellationToken.None);
                Console.WriteLine($"{crl.Issuer}: CRL #{crl.Number}, {crl.EntryCount} entries, nextUpdate {crl.NextUpdate:u}");
            }
            Console.WriteLine($"{published.Count} CRL(s) published");
            Console.Error.WriteLine(CliJobServices.InProcessNote);
            return 0;
        }));
        return command;
    }
}
