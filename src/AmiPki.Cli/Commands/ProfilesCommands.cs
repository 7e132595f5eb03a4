using System.CommandLine;
using System.Text.Json;
using AmiPki.Core.Profiles;
using AmiPki.Server.Api.Contracts;
using AmiPki.Server;

namespace AmiPki.Cli.Commands;

/// <summary>
/// <c>amipki profiles list|show [NAME] [--json]|matrix</c>: the profiles in the profiles directory and their effective
/// authorization matrix (who may enroll over which protocol, bound to which subject; default deny). Needs no data directory.
/// </summary>
public static class ProfilesCommands
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Command Create()
    {
        var list = new Command("list", "List the profiles: name, protocols, description");
        list.SetAction((parseResult, _) => CommandRunner.RunAsync(() =>
        {
            var profiles = ProfileView.All(Load(parseResult));
            var width = profiles.Max(p => p.Name.Length);
            var protocols = profiles.ToDictionary(p => p.Name, p => string.Join(",", p.Protocols.Select(x => x.Protocol)), StringComparer.Ordinal);
            var protocolWidth = protocols.Values.Max(p => p.Length);
            foreach (var profile in profiles)
            {
                Console.WriteLine($"{profile.Name.PadRight(width)}  {protocols[profile.Name].PadRight(protocolWidth)}  {profile.Description}");
            }
            Console.WriteLine($"{profiles.Count} profile(s)");
            return Task.FromResult(0);
        }));

        var name = new Argument<string?>("name") { Description = "The profile (default: every profile)", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print the matrix as JSON (what GET /api/v1/profiles answers)" };
        var show = new Command("show", "Show a profile's effective authorization matrix: per protocol who may enroll, the subject binding, renewal") { name, json };
        show.SetAction((parseResult, _) => CommandRunner.RunAsync(() =>
        {
            var profiles = Load(parseResult);
            IReadOnlyList<ProfileView> views;
            if (parseResult.GetValue(name) is { } wanted)
            {
                if (profiles.Find(wanted) is null)
                {
                    return Task.FromResult(CommandRunner.Fail(ProfileView.UnknownName(profiles, wanted)));
                }
                views = [ProfileView.Find(profiles, wanted)];
            }
            else
            {
                views = ProfileView.All(profiles);
            }
            if (parseResult.GetValue(json))
            {
                Console.WriteLine(views.Count == 1 && parseResult.GetValue(name) is not null
                    ? JsonSerializer.Serialize(views[0], Json)
                    : JsonSerializer.Serialize(views, Json));
                return Task.FromResult(0);
            }
            Console.Write(string.Join(Environment.NewLine, views.Select(ProfileMatrixText.Show)));
            return Task.FromResult(0);
        }));

        var matrix = new Command("matrix", "Print every profile × protocol as a Markdown table (the README's \"Who may get which certificate\")");
        matrix.SetAction((parseResult, _) => CommandRunner.RunAsync(() =>
        {
            Console.Write(ProfileMatrixText.Markdown(ProfileView.All(Load(parseResult))));
            return Task.FromResult(0);
        }));
        return new Command("profiles", "Certificate profiles and who may obtain which certificate") { list, show, matrix };
    }

    private static ProfileSet Load(ParseResult parseResult) =>
        ProfileLoader.LoadDirectory(AmiPkiRuntime.ResolveProfilesDirectory(CliOptions.Resolve(parseResult)));
}
