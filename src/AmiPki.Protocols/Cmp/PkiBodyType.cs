namespace AmiPki.Protocols.Cmp;

/// <summary>The PKIBody CHOICE tags (RFC 4210 §5.1.2) the adapter knows.</summary>
public enum PkiBodyType
{
    Ir = 0,
    Ip = 1,
    Cr = 2,
    Cp = 3,
    P10cr = 4,
    Kur = 7,
    Kup = 8,
    Rr = 11,
    Rp = 12,
    PkiConf = 19,
    Nested = 20,
    Genm = 21,
    Genp = 22,
    Error = 23,
    CertConf = 24,
    PollReq = 25,
    PollRep = 26,
}
