namespace AmiPki.Protocols.Scep;

/// <summary>SCEP messageType values (RFC 8894 §3.2.1.2), sent as PrintableString decimals.</summary>
public enum ScepMessageType
{
    CertRep = 3,
    RenewalReq = 17,
    PKCSReq = 19,
    CertPoll = 20,
    GetCert = 21,
    GetCRL = 22,
}
