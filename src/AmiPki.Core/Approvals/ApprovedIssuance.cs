namespace AmiPki.Core.Approvals;

/// <summary>The certificate an approved request got (the same for every repeat), and a supersession still to be done after confirmation (CMP).</summary>
public sealed record ApprovedIssuance(string Issuer, string SerialHex, byte[] Der, (string Issuer, string SerialHex)? PendingSupersession);
