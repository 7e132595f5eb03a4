using System.CommandLine;
using System.Text;

namespace AmiPki.Cli.Commands;

/// <summary><c>amipki chain --out FILE</c>: the trust anchors (root CAs) a client needs, optionally with the issuing CAs.</summary>
public static class ChainCommand
{
    public static Command Create()
    {
        var output = new Option<FileInfo>("--out") { Description = "PEM file to write", Required = true };
        var withIssuing = new Option<bool>("--with-issuing") { Description = "Append the issuing CA certificates after the roots" };
        var command = new Command("chain", "Write the trust anchors (root CA certificates) as PEM") { output, withIssuing };
        command.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            var cas = await runtime.Storage.Cas.ListAsync(cancellationToken);
            if (cas.Count == 0)
            {
                return CommandRunner.Fail($"no CA in {runtime.Layout.Root}: run amipki init first");
            }
            var selected = cas.Where(c => c.Parent is null).Concat(parseResult.GetValue(withIssuing) ? cas.Where(c => c.Parent is not null) : []).ToList();
            var pem = new StringBuilder();
            foreach (var ca in selected)
            {
                pem.Append(PemFiles.Encode("CERTIFICATE", ca.CertificateDer));
            }
            var path = parseResult.GetValue(output)!.FullName;
            await File.WriteAllTextAsync(path, pem.ToString(), cancellationToken);
            Console.WriteLine($"wrote {selected.Count} certificate(s) ({string.Join(", ", selected.Select(c => c.Name))}) to {path}");
            return 0;
        }));
        return command;
    }
}
