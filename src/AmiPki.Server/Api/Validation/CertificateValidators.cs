using AmiPki.Core.Revocation;
using AmiPki.Server.Api.Contracts;
using FluentValidation;

namespace AmiPki.Server.Api.Validation;

public sealed class CertificateSearchValidator : AbstractValidator<CertificateSearch>
{
    public CertificateSearchValidator()
    {
        RuleFor(q => q.Limit).PageLimit();
        RuleFor(q => q.Offset).PageOffset();
        RuleFor(q => q.Status).Status();
        RuleFor(q => q.SystemTitle).SystemTitle();
    }
}

public sealed class RevokeRequestValidator : AbstractValidator<RevokeRequest>
{
    public RevokeRequestValidator()
    {
        RuleFor(r => r.Reason).RevocationReason();
    }
}

/// <summary>Exactly one target; a selection never empty (it would mean "everything"); at most <see cref="MaxSerials"/> serials per call.</summary>
public sealed class BulkRevokeRequestValidator : AbstractValidator<BulkRevokeRequest>
{
    public const int MaxSerials = 1_000_000;

    public BulkRevokeRequestValidator()
    {
        RuleFor(r => r.Reason).RevocationReason();
        RuleFor(r => r.Serials).NotNull().WithMessage("give either serials or selection").When(r => r.Selection is null);
        RuleFor(r => r.Serials).Null().WithMessage("give either serials or selection, not both").When(r => r.Selection is not null);
        RuleFor(r => r.Serials!.Count).InclusiveBetween(1, MaxSerials).OverridePropertyName("serials")
            .WithMessage($"between 1 and {MaxSerials} serials").When(r => r.Serials is not null);
        RuleForEach(r => r.Serials).ChildRules(serial => serial.RuleFor(s => s.Serial).HexSerial()).When(r => r.Serials is not null);
        RuleFor(r => r.Selection!).Must(s => !new RevocationSelection(s.SystemTitle, s.Dcu, s.Lot, s.Profile, s.Issuer).IsEmpty)
            .OverridePropertyName("selection")
            .WithMessage("a selection needs systemTitle, dcu, lot or profile (an empty one would select everything)")
            .When(r => r.Selection is not null);
        RuleFor(r => r.Selection!.SystemTitle).SystemTitle().OverridePropertyName("selection.systemTitle").When(r => r.Selection is not null);
    }
}
