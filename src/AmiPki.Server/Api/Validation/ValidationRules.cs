using AmiPki.Core.Policy;
using AmiPki.Core.Revocation;
using AmiPki.Core.Storage;
using AmiPki.Server.Admin;
using FluentValidation;

namespace AmiPki.Server.Api.Validation;

/// <summary>Rules several validators share.</summary>
internal static class ValidationRules
{
    public const int MaxPageSize = 1000;
    public const int MaxTextLength = 1024;

    public static IRuleBuilderOptions<T, int?> PageLimit<T>(this IRuleBuilder<T, int?> rule) =>
        rule.InclusiveBetween(1, MaxPageSize).WithMessage($"limit must be between 1 and {MaxPageSize}");

    public static IRuleBuilderOptions<T, int?> PageOffset<T>(this IRuleBuilder<T, int?> rule) =>
        rule.GreaterThanOrEqualTo(0).WithMessage("offset must not be negative");

    public static IRuleBuilderOptions<T, string?> RevocationReason<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(reason => reason is null || IsReason(reason)).WithMessage($"not an RFC 5280 revocation reason (accepted: {RevocationReasons.Accepted})");

    public static IRuleBuilderOptions<T, string?> HexSerial<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(serial => serial is not null && IsSerial(serial)).WithMessage("not a hexadecimal serial number (up to 20 bytes)");

    public static IRuleBuilderOptions<T, string?> SystemTitle<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(title => title is null || SubjectNameRule.IsSystemTitle(title.ToUpperInvariant()))
            .WithMessage("a DLMS system title is 16 hex digits");

    public static IRuleBuilderOptions<T, string?> Status<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(status => IsStatus(status)).WithMessage("status must be issued, signing, failed, revoked or valid");

    public static IRuleBuilderOptions<T, string?> Duration<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(text => text is null || DurationText.TryParse(text, out _)).WithMessage($"expected {DurationText.Expected}");

    public static IRuleBuilderOptions<T, string?> ShortText<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Must(text => text is null || text.Length <= MaxTextLength).WithMessage($"at most {MaxTextLength} characters");

    private static bool IsReason(string reason)
    {
        try
        {
            RevocationReasons.Parse(reason);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static bool IsSerial(string serial)
    {
        try
        {
            SerialReference.NormalizeSerial(serial);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static bool IsStatus(string? status)
    {
        try
        {
            CertificateLookup.ParseStatus(status);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
