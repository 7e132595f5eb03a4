using System.CommandLine;
using AmiPki.Core.Issuance;
using AmiPki.Core.Profiles;

namespace AmiPki.Cli.Commands;

/// <summary><c>amipki issue</c>: issues a certificate for a CSR file through the same pipeline as every protocol.</summary>
public static class IssueCommand
{
    public static Command Create()
    {
        var profile = new Option<string>("--profile") { Description = "Certificate profile", Required = true };
        var csr = new Option<FileInfo>("--csr") { Description = "PKCS#10 CSR, PEM or DER", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Where to write the certificate (PEM)", Required = true };
        var issuer = new Option<string?>("--issuer") { Description = "Issuing CA (default: the profile's first)" };
        var pkcs11 = new CeremonyCommands.Pkcs11Arguments(recursive: false, includeRoot: false);
        var command = new Command("issue", "Issue a certificate for a CSR") { profile, csr, output, issuer };
        pkcs11.AddTo(command);
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var options = pkcs11.Resolve(parseResult); // refuses a PIN typed where its source belongs before anything else, without echoing it
            var csrDer = PemFiles.ReadDer(parseResult.GetValue(csr)!.FullName, "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
            await using var runtime = await Server.AmiPkiRuntime.OpenAsync(options, TimeProvider.System, cancellationToken);
            var issuance = await runtime.LoadAuthoritiesAsync(cancellationToken);
            var request = new EnrollmentRequest(csrDer, parseResult.GetValue(profile)!, Requester.Administrator($"cli:{Environment.UserName}"), EnrollmentProtocol.Cli)
            {
                IssuerName = parseResult.GetValue(issuer),
            };
            var issued = await issuance.IssueAsync(request, cancellationToken);
            var path = parseResult.GetValue(output)!.FullName;
            await File.WriteAllTextAsync(path, PemFiles.Encode("CERTIFICATE", issued.Der), cancellationToken);
            Console.WriteLine($"issued serial {issued.SerialHex} by {issued.Issuer.Name} under {issued.Profile}, valid until {issued.NotAfter:u}: {path}");
            return 0;
        }));
        return command;
    }
}
