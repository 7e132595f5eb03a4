using System.Text;
using AmiPki.Server.Api.Contracts;

namespace AmiPki.Cli.Commands;

/// <summary>The effective authorization matrix as text: one profile for people (<c>profiles show</c>), every profile as a Markdown table (<c>profiles matrix</c>, README).</summary>
public static class ProfileMatrixText
{
    private const string Renewer = "currentCertificate";

    /// <summary>One profile: what it is, then per protocol who may enroll with which subject binding, and what renewal does.</summary>
    public static string Show(ProfileView profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var text = new StringBuilder();
        text.AppendLine($"profile:         {profile.Name}");
        text.AppendLine($"description:     {profile.Description}");
        text.AppendLine($"issuers:         {string.Join(", ", profile.Issuers)} (the first is the default)");
        text.AppendLine($"key algorithms:  {string.Join(", ", profile.KeyAlgorithms)}");
        text.AppendLine($"subject:         {profile.Subject}: {profile.SubjectText}");
        text.AppendLine($"SAN kinds:       {(profile.SubjectAltNames.Count == 0 ? "none" : string.Join(", ", profile.SubjectAltNames))}");
        if (profile.ManualApproval)
        {
            text.AppendLine("approval:        every request waits for an administrator's approval");
        }
        text.AppendLine(profile.FactoryCertificateProtocols.Count == 0
            ? "factory cert.:   not obtainable with a factory certificate (no factoryCertificate rule)"
            : $"factory cert.:   obtainable with a factory certificate over {string.Join(", ", profile.FactoryCertificateProtocols)}");
        text.AppendLine($"renewal:         {(profile.Renewal.RevokeSuperseded ? "the renewed certificate is revoked as superseded" : "the renewed certificate stays valid")}; "
                        + $"successor: {profile.Renewal.Successor ?? "none"}");
        text.AppendLine($"source:          {profile.SourceFile}");
        text.AppendLine("whatever no rule below allows is refused (default deny)");
        foreach (var protocol in profile.Protocols)
        {
            text.AppendLine();
            text.AppendLine($"over {protocol.Protocol}:");
            var rows = protocol.Rules.Select(r => (Who: $"{r.Requester}: {r.Who}", Subject: $"{r.Subject}: {r.SubjectText}")).ToList();
            var width = Math.Max("who may enroll".Length, rows.Max(r => r.Who.Length));
            text.AppendLine($"  {"who may enroll".PadRight(width)}  subject binding");
            foreach (var (who, subject) in rows)
            {
                text.AppendLine($"  {who.PadRight(width)}  {subject}");
            }
            text.AppendLine($"  renewal: {protocol.RenewalText}");
        }
        return text.ToString();
    }

    /// <summary>Every profile × protocol as a Markdown table: who may enroll (with the subject binding) and who may renew.</summary>
    public static string Markdown(IEnumerable<ProfileView> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        var text = new StringBuilder();
        text.AppendLine("| profile | protocol | who may enroll (subject binding) | renewal |");
        text.AppendLine("|---|---|---|---|");
        foreach (var profile in profiles)
        {
            foreach (var protocol in profile.Protocols)
            {
                var enroll = protocol.Rules.Where(r => r.Requester != Renewer).Select(r => $"{r.Who} ({r.SubjectText})").ToList();
                text.AppendLine($"| `{profile.Name}` | {protocol.Protocol} | {Cell(enroll.Count == 0 ? "–" : string.Join("; ", enroll))} | "
                                + $"{Cell(protocol.Renewable ? protocol.RenewalText : "–")} |");
            }
        }
        return text.ToString();
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
}
