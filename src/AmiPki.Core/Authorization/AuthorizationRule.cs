using AmiPki.Core.Devices;

namespace AmiPki.Core.Authorization;

/// <summary>
/// One declared permission of a profile (<c>"authorization"</c> in the profile file): over these protocols, this kind of
/// requester may obtain a certificate of the profile, with its subject bound as <see cref="Subject"/> says. What no rule
/// of a profile allows is refused (default deny, DESIGN.md "Authorization").
/// </summary>
public sealed record AuthorizationRule
{
    /// <summary>Enrollment protocols this rule applies to (<see cref="Profiles.EnrollmentProtocol"/>).</summary>
    public required IReadOnlyList<string> Protocols { get; init; }

    public required RuleRequester Requester { get; init; }

    /// <summary>For <see cref="RuleRequester.FactoryCertificate"/>: the device must be in the registry (default). False admits any device of a trusted manufacturer.</summary>
    public bool RegisteredDevice { get; init; } = true;

    /// <summary>For <see cref="RuleRequester.FactoryCertificate"/>: the registered device's kind must be one of these (<see cref="DeviceKinds"/>); empty: any kind.</summary>
    public IReadOnlyList<string> DeviceKinds { get; init; } = [];

    /// <summary>Null: the requester kind's default (<see cref="DefaultBinding"/>).</summary>
    public SubjectBinding? Subject { get; init; }

    public SubjectBinding EffectiveSubject => Subject ?? DefaultBinding(Requester);

    /// <summary>The binding a rule gets when it names none: the strictest that the requester kind can prove.</summary>
    public static SubjectBinding DefaultBinding(RuleRequester requester) => requester switch
    {
        RuleRequester.FactoryCertificate => SubjectBinding.SystemTitle,
        RuleRequester.Credential => SubjectBinding.Credential,
        RuleRequester.CurrentCertificate => SubjectBinding.Renewed,
        _ => SubjectBinding.Any,
    };

    /// <summary>The bindings a requester kind can prove; anything else in a profile file stops start-up.</summary>
    public static IReadOnlyList<SubjectBinding> AllowedBindings(RuleRequester requester) => requester switch
    {
        RuleRequester.FactoryCertificate => [SubjectBinding.SystemTitle, SubjectBinding.Any],
        RuleRequester.Credential => [SubjectBinding.Credential, SubjectBinding.CredentialRequired],
        RuleRequester.CurrentCertificate => [SubjectBinding.Renewed],
        _ => [SubjectBinding.Any],
    };

    /// <summary>One line for the matrix (<c>amipki profiles show</c>) and for refusals: <see cref="DescribeRequester"/>; <see cref="DescribeSubject"/>.</summary>
    public string Describe() => $"{DescribeRequester()}; {DescribeSubject()}";

    /// <summary>Who this rule admits, in words (e.g. "factory certificate of a registered meter").</summary>
    public string DescribeRequester() => Requester switch
    {
        RuleRequester.FactoryCertificate => RegisteredDevice
            ? $"factory certificate of a registered {(DeviceKinds.Count == 0 ? "device" : string.Join("/", DeviceKinds))}"
            : "factory certificate of any device of a trusted manufacturer",
        RuleRequester.Credential => "credential bound to this profile",
        RuleRequester.CurrentCertificate => "holder of a current certificate of this profile",
        RuleRequester.Administrator => "administrator",
        RuleRequester.ManualApproval => "any requester, once an administrator approves the held request",
        _ => "AmiPki itself",
    };

    /// <summary>What the issued certificate's subject is bound to, in words (e.g. "CN = registered system title").</summary>
    public string DescribeSubject() => EffectiveSubject switch
    {
        SubjectBinding.SystemTitle => "CN = registered system title",
        SubjectBinding.Credential => "subject bound to the credential, if any",
        SubjectBinding.CredentialRequired => "subject bound to the credential (required)",
        SubjectBinding.Renewed => "same subject and SAN",
        _ => "any subject the profile allows",
    };
}
