using System.CommandLine;
using System.Globalization;
using AmiPki.Core.Revocation;
using Spectre.Console;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki revoke SERIAL…</c>: revokes one or more serials (positional, like <c>show SERIAL</c>, or <c>--serial</c>), a list file, or every certificate of a device, DCU, manufacturer lot or
/// profile; <c>--hold</c> puts certificates on hold and <c>--release</c> releases holds (RFC 5280 §5.3.1). Each
/// issuer's share of a batch (per profile) is one durable operation; a running server notices it within seconds and republishes
/// its CRLs and OCSP responses.
/// </summary>
public static class RevokeCommands
{
    public static Command Create()
    {
        var positional = new Argument<string[]>("serial")
        {
            Description = "Serial number(s) (hex) of the certificate(s) to revoke, like show SERIAL; or use --serial, --list or a selection",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var serial = new Option<string?>("--serial") { Description = "Serial number (hex) of the certificate to revoke" };
        var issuer = new Option<string?>("--issuer") { Description = "CA that issued it (default: looked up among every CA); limits bulk selections too" };
        var reason = new Option<string?>("--reason") { Description = $"RFC 5280 reason: {RevocationReasons.Accepted}; default unspecified" };
        var invalidity = new Option<DateTimeOffset?>("--invalidity-date") { Description = "When the key became invalid (ISO 8601), RFC 5280 §5.3.2" };
        var list = new Option<FileInfo?>("--list") { Description = "File with one SERIAL or 'ISSUER SERIAL' per line (# comments)" };
        var device = new Option<string?>("--device") { Description = "Every certificate of this device (DLMS system title)" };
        var dcu = new Option<string?>("--dcu") { Description = "Every certificate of the devices behind this DCU" };
        var lot = new Option<string?>("--lot") { Description = "Every certificate of this manufacturer lot" };
        var profile = new Option<string?>("--profile") { Description = "Every certificate of this profile" };
        var hold = new Option<bool>("--hold") { Description = "Put on hold (certificateHold) instead of revoking for good" };
        var release = new Option<bool>("--release") { Description = "Release a hold: the certificates are good again" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Show how many certificates a selection matches; change nothing" };
        var command = new Command("revoke", "Revoke certificates (SERIAL…, a list, or a device/DCU/lot/profile selection), hold or release them")
        {
            positional, serial, issuer, reason, invalidity, list, device, dcu, lot, profile, hold, release, dryRun,
        };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var selection = new RevocationSelection(parseResult.GetValue(device), parseResult.GetValue(dcu), parseResult.GetValue(lot),
                parseResult.GetValue(profile), parseResult.GetValue(issuer));
            var serialValue = parseResult.GetValue(serial);
            var positionalValues = parseResult.GetValue(positional) ?? [];
            // An unknown option lands here as a "serial"; name it (not the values after it, which may be secrets).
            if (positionalValues.FirstOrDefault(v => v.StartsWith('-')) is { } stray)
            {
                return CommandRunner.Fail($"unrecognized option {(ParseErrors.OptionName(stray) is { } name ? $"'{name}'" : "(not shown)")} (run amipki revoke --help)", 2);
            }
            var listFile = parseResult.GetValue(list);
            if (positionalValues.Length > 0 && serialValue is not null)
            {
                throw new ArgumentException("give serials either as arguments (revoke SERIAL…) or with --serial, not both");
            }
            var targets = (serialValue is null && positionalValues.Length == 0 ? 0 : 1) + (listFile is null ? 0 : 1) + (selection.IsEmpty ? 0 : 1);
            if (targets != 1)
            {
                throw new ArgumentException(targets == 0
                    ? "name what to revoke: SERIAL…, --serial, --list, or a selection (--device, --dcu, --lot, --profile)"
                    : "name exactly one target: SERIAL… (or --serial), --list, or a selection (--device, --dcu, --lot, --profile), not several");
            }
            var isHold = parseResult.GetValue(hold);
            var isRelease = parseResult.GetValue(release);
            if (isHold && isRelease)
            {
                throw new ArgumentException("--hold and --release contradict each other");
            }
            var reasonText = parseResult.GetValue(reason);
            var reasonValue = isHold ? RevocationReason.CertificateHold : reasonText is null ? RevocationReason.Unspecified : RevocationReasons.Parse(reasonText);
            if (isHold && reasonText is not null && RevocationReasons.Parse(reasonText) != RevocationReason.CertificateHold)
            {
                throw new ArgumentException("--hold means reason certificateHold; drop --reason");
            }
            if (isRelease && reasonText is not null)
            {
                throw new ArgumentException("--release takes no --reason");
            }

            IReadOnlyList<SerialReference>? serials = null;
            if (serialValue is not null)
            {
                serials = [new SerialReference(parseResult.GetValue(issuer), SerialReference.NormalizeSerial(serialValue))];
            }
            else if (positionalValues.Length > 0)
            {
                serials = positionalValues.Select(v => new SerialReference(parseResult.GetValue(issuer), SerialReference.NormalizeSerial(v))).ToList();
            }
            else if (listFile is not null)
            {
                serials = await ReadListAsync(listFile.FullName, parseResult.GetValue(issuer), cancellationToken);
            }

            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            await runtime.LoadAuthoritiesAsync(cancellationToken);
            var service = new RevocationService(runtime.Authorities!, runtime.Storage.Certificates, runtime.Storage.Revocations, new RevocationNotifier(),
                runtime.Time, runtime.AuditLog, runtime.Storage.Devices);
            var actor = $"cli:{Environment.UserName}";

            if (parseResult.GetValue(dryRun))
            {
                var matched = serials is null ? (await service.SelectAsync(selection, null, cancellationToken)).Count : serials.Count;
                Console.WriteLine($"{matched} certificate(s) would be considered; nothing changed (--dry-run)");
                return 0;
            }

            var bulk = serials is null || serials.Count > 1;
            var result = await WithProgressAsync(bulk, progress =>
                (serials, isRelease) switch
                {
                    ({ } references, false) => service.RevokeAsync(references, reasonValue, parseResult.GetValue(invalidity), actor, progress, cancellationToken),
                    ({ } references, true) => service.ReleaseHoldAsync(references, actor, progress, cancellationToken),
                    (null, false) => service.RevokeSelectionAsync(selection, reasonValue, parseResult.GetValue(invalidity), actor, progress, cancellationToken),
                    (null, true) => service.ReleaseHoldSelectionAsync(selection, actor, progress, cancellationToken),
                });
            return Report(result, isRelease, reasonValue, serials is { Count: 1 } && listFile is null);
        }));
        return command;
    }

    private static async Task<IReadOnlyList<SerialReference>> ReadListAsync(string path, string? defaultIssuer, CancellationToken cancellationToken)
    {
        var references = new List<SerialReference>();
        var number = 0;
        foreach (var line in await File.ReadAllLinesAsync(path, cancellationToken))
        {
            number++;
            try
            {
                if (SerialReference.ParseLine(line) is { } reference)
                {
                    references.Add(reference.Issuer is null && defaultIssuer is not null ? reference with { Issuer = defaultIssuer } : reference);
                }
            }
            catch (FormatException e)
            {
                throw new FormatException($"{path}:{number}: {e.Message}");
            }
        }
        if (references.Count == 0)
        {
            throw new ArgumentException($"{path}: no serial numbers");
        }
        return references;
    }

    private static async Task<RevocationResult> WithProgressAsync(bool bulk, Func<IProgress<RevocationProgress>?, Task<RevocationResult>> work)
    {
        if (!bulk || Console.IsOutputRedirected)
        {
            return await work(null);
        }
        RevocationResult? result = null;
        await AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                var progress = new SpectreProgress(report =>
                {
                    lock (tasks)
                    {
                        if (!tasks.TryGetValue(report.Phase, out var task))
                        {
                            task = context.AddTask(report.Phase);
                            tasks[report.Phase] = task;
                        }
                        task.MaxValue = Math.Max(1, report.Total);
                        task.Value = report.Done;
                    }
                });
                result = await work(progress);
                lock (tasks)
                {
                    foreach (var task in tasks.Values)
                    {
                        task.Value = task.MaxValue;
                    }
                }
            });
        return result!;
    }

    private static int Report(RevocationResult result, bool release, RevocationReason reason, bool single)
    {
        var verb = release ? "released" : reason == RevocationReason.CertificateHold ? "put on hold" : $"revoked ({RevocationReasons.NameOf(reason)})";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.Changed} certificate(s) {verb}; {result.Unchanged} unchanged (already revoked, not on hold, or not revocable); {result.NotFound.Count} not found"));
        foreach (var missing in result.NotFound.Take(20))
        {
            Console.Error.WriteLine($"amipki: not found: {(missing.Issuer is null ? "" : missing.Issuer + " ")}{missing.SerialHex}");
        }
        if (single && result.NotFound.Count > 0)
        {
            return CommandRunner.Fail($"no certificate with serial {result.NotFound[0].SerialHex}", 4);
        }
        return 0;
    }

    /// <summary>Progress reports arrive on the storage writer's thread; Spectre's tasks are safe to update from it.</summary>
    private sealed class SpectreProgress(Action<RevocationProgress> report) : IProgress<RevocationProgress>
    {
        public void Report(RevocationProgress value) => report(value);
    }
}
