using System.CommandLine;
using AmiPki.Cli.Commands;

var root = new RootCommand("AmiPki: certificate authority and certificate lifecycle manager for smart-meter networks")
{
    CliOptions.Data,
    CliOptions.Profiles,
    CliOptions.Postgres,
    InitCommand.Create(),
    ServeCommand.Create(),
    IssueCommand.Create(),
    ListCommand.Create(),
    ShowCommand.Create(),
    ChainCommand.Create(),
    AuditCommands.Create(),
    DevicesCommands.Create(),
    RequestsCommands.Create(),
    EstAccountCommands.Create(),
    CmpCredentialsCommands.Create(),
    ScepChallengeCommands.Create(),
    CeremonyCommands.Create(),
    RevokeCommands.Create(),
    CrlCommand.Create(),
    CampaignCommands.Create(),
    JobCommands.Create(),
    ProfilesCommands.Create(),
    ConfigCommands.Create(),
};
var parsed = root.Parse(args);
// Parse errors are reported without echoing what was typed (a PIN after a misspelt option must not reach the terminal or logs).
return ParseErrors.Report(parsed) ?? await parsed.InvokeAsync();
