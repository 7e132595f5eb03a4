namespace AmiPki.Protocols.Scep;

/// <summary>SCEP pkiStatus values (RFC 8894 §3.2.1.3), sent as PrintableString decimals.</summary>
public enum ScepPkiStatus
{
    Success = 0,
    Failure = 2,
    Pending = 3,
}
