using AmiPki.Core.Authorization;
using AmiPki.Core.Devices;
using FluentValidation;

namespace AmiPki.Core.Profiles;

/// <summary>One authorization rule of a profile file: known protocols, a binding the requester kind can prove, device kinds that exist.</summary>
public sealed class AuthorizationRuleValidator : AbstractValidator<AuthorizationRule>
{
    public AuthorizationRuleValidator()
    {
        RuleFor(r => r.Protocols).NotEmpty().WithMessage("a rule must name at least one protocol");
        RuleForEach(r => r.Protocols).Must(EnrollmentProtocol.All.Contains)
            .WithMessage((_, protocol) => $"unknown protocol '{protocol}' (allowed: {string.Join(", ", EnrollmentProtocol.All)})");
        RuleFor(r => r.Subject).Must((r, binding) => binding is null || AuthorizationRule.AllowedBindings(r.Requester).Contains(binding.Value))
            .WithMessage(r => $"subject binding {r.Subject} cannot be proven by a {r.Requester} requester (allowed: {string.Join(", ", AuthorizationRule.AllowedBindings(r.Requester))})");
        RuleForEach(r => r.DeviceKinds).Must(DeviceKinds.All.Contains)
            .WithMessage((_, kind) => $"unknown device kind '{kind}' (allowed: {string.Join(", ", DeviceKinds.All)})");
        RuleFor(r => r.DeviceKinds).Empty().When(r => r.Requester != RuleRequester.FactoryCertificate)
            .WithMessage("deviceKinds applies to factoryCertificate rules only");
        RuleFor(r => r.RegisteredDevice).Must(registered => registered).When(r => r.Subject is null or SubjectBinding.SystemTitle && r.Requester == RuleRequester.FactoryCertificate)
            .WithMessage("a rule binding the subject to the registered system title needs a registered device");
        RuleFor(r => r.Protocols).Must(protocols => protocols.All(p => p is EnrollmentProtocol.Cli or EnrollmentProtocol.AdminApi))
            .When(r => r.Requester == RuleRequester.Administrator)
            .WithMessage("administrator rules apply to the cli and admin-api protocols only");
        RuleFor(r => r.Protocols).Must(protocols => protocols.All(p => p == EnrollmentProtocol.Internal))
            .When(r => r.Requester == RuleRequester.Internal)
            .WithMessage("internal rules apply to the internal protocol only");
        RuleFor(r => r.Protocols).Must(protocols => !protocols.Contains(EnrollmentProtocol.Internal))
            .When(r => r.Requester != RuleRequester.Internal)
            .WithMessage("the internal protocol is for AmiPki itself (requester internal) only");
    }
}
