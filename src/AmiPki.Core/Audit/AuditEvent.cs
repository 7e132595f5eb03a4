namespace AmiPki.Core.Audit;

/// <summary>One security event, before storage gives it a sequence number and chains it.</summary>
/// <param name="Kind">e.g. <c>issuance</c>, <c>revocation</c>, <c>crl</c>, <c>login</c>.</param>
/// <param name="Outcome"><c>success</c>, <c>refused</c>, <c>failed</c>, or <c>outcome-unknown</c> (an issuance cut short by a crash).</param>
/// <param name="Detail">Free text: serial, subject, profile, refusal reason.</param>
public sealed record AuditEvent(DateTimeOffset At, string Kind, string Actor, string Outcome, string Detail);
