namespace AmiPki.Core.Issuance;

/// <summary>A typed refusal: the one exception the pipeline throws for a request it will not serve.</summary>
public sealed class IssuanceRefusal : Exception
{
    public IssuanceRefusal(RefusalKind kind, string reason) : base(reason)
    {
        Kind = kind;
    }

    public IssuanceRefusal(RefusalKind kind, string reason, Exception inner) : base(reason, inner)
    {
        Kind = kind;
    }

    public RefusalKind Kind { get; }

    /// <summary>One line, fit to show the requester.</summary>
    public string Reason => Message;

    /// <summary>For an authorization refusal: the profile rule that refused (<see cref="Authorization.AuthorizationRule.Describe"/>), when one applied.</summary>
    public string? Rule { get; init; }
}
