using AmiPki.Server.Admin;
using AmiPki.Server.Api.Contracts;
using FluentValidation;

namespace AmiPki.Server.Api.Validation;

public sealed class DeviceSearchValidator : AbstractValidator<DeviceSearch>
{
    public DeviceSearchValidator()
    {
        RuleFor(q => q.Limit).PageLimit();
        RuleFor(q => q.Offset).PageOffset();
    }
}

public sealed class RequestSearchValidator : AbstractValidator<RequestSearch>
{
    private static readonly string[] States = ["pending", "approved", "rejected", "issued", "all"];

    public RequestSearchValidator()
    {
        RuleFor(q => q.Limit).PageLimit();
        RuleFor(q => q.State).Must(s => s is null || States.Contains(s.Trim().ToLowerInvariant()))
            .WithMessage($"state must be one of {string.Join(", ", States)}");
    }
}

public sealed class DecisionRequestValidator : AbstractValidator<DecisionRequest>
{
    public DecisionRequestValidator()
    {
        RuleFor(d => d.Reason).ShortText();
    }
}

public sealed class AuditSearchValidator : AbstractValidator<AuditSearch>
{
    public AuditSearchValidator()
    {
        RuleFor(q => q.Limit).PageLimit();
        RuleFor(q => q.Offset).PageOffset();
        RuleFor(q => q.Until).GreaterThanOrEqualTo(q => q.Since).When(q => q.Since is not null && q.Until is not null)
            .WithMessage("until must not be before since");
    }
}

public sealed class NewEstAccountValidator : AbstractValidator<NewEstAccount>
{
    public NewEstAccountValidator()
    {
        // RFC 7617 §2: the Basic user-id cannot contain a colon.
        RuleFor(a => a.Name).NotEmpty().MaximumLength(128).Must(n => n is null || !n.Contains(':', StringComparison.Ordinal))
            .WithMessage("name must be 1..128 characters without ':'");
        RuleFor(a => a.Profiles).NotEmpty().WithMessage("name at least one profile");
        RuleFor(a => a.ExpiresIn).Duration();
        RuleFor(a => a.Subject).ShortText();
        RuleFor(a => a.Secret).MinimumLength(EnrollmentCredentialAdmin.MinimumSecretLength).MaximumLength(ValidationRules.MaxTextLength)
            .When(a => a.Secret is not null);
    }
}

public sealed class NewCmpReferenceValidator : AbstractValidator<NewCmpReference>
{
    public NewCmpReferenceValidator()
    {
        RuleFor(r => r.Reference).NotEmpty().MaximumLength(128);
        RuleFor(r => r.Profiles).NotEmpty().WithMessage("name at least one profile");
        RuleFor(r => r.ExpiresIn).Duration();
        RuleFor(r => r.Subject).ShortText();
        RuleFor(r => r.Secret).MinimumLength(EnrollmentCredentialAdmin.MinimumSecretLength).MaximumLength(ValidationRules.MaxTextLength)
            .When(r => r.Secret is not null);
    }
}

public sealed class NewScepChallengeValidator : AbstractValidator<NewScepChallenge>
{
    public NewScepChallengeValidator()
    {
        RuleFor(c => c.Profile).NotEmpty();
        RuleFor(c => c.ExpiresIn).Duration();
        RuleFor(c => c.Subject).ShortText();
    }
}
