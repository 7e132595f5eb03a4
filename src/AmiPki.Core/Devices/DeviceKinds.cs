namespace AmiPki.Core.Devices;

/// <summary>
/// What a registered device is, as its manufacturer manifest says (the <c>kind</c> column): the words the CA's
/// authorization rules match on, e.g. "a factory certificate of a registered device of kind meter". Stored lower-case;
/// a manifest of the six-column legacy header lists meters (<see cref="Meter"/>), as the first manifests did.
/// </summary>
public static class DeviceKinds
{
    /// <summary>An electricity, gas, water or heat meter.</summary>
    public const string Meter = "meter";

    /// <summary>A data concentrator unit: the meters of a neighbourhood hang off it.</summary>
    public const string Dcu = "dcu";

    /// <summary>A head-end system: the operator's side that reads the meters through the DCUs.</summary>
    public const string Hes = "hes";

    /// <summary>A communication gateway (e.g. a home-area or WAN gateway in front of meters).</summary>
    public const string Gateway = "gateway";

    /// <summary>Any other network element (router, repeater, ...) with a factory certificate.</summary>
    public const string NetworkDevice = "network-device";

    /// <summary>Every kind a manifest may name, compared ordinally (kinds are stored lower-case).</summary>
    public static IReadOnlySet<string> All { get; } = new HashSet<string>(StringComparer.Ordinal) { Meter, Dcu, Hes, Gateway, NetworkDevice };
}
