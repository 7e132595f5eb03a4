using System.CommandLine;
using AmiPki.Core.Devices;
using Spectre.Console;

namespace AmiPki.Cli.Commands;

/// <summary><c>amipki devices import FILE.csv</c> and <c>amipki devices list</c>.</summary>
public static class DevicesCommands
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file")
        {
            Description = $"CSV manifest with the header {DeviceManifest.Header} (kind: {string.Join(", ", DeviceKinds.All)}; "
                          + $"the legacy header {DeviceManifest.LegacyHeader} lists meters)",
        };
        var import = new Command("import", "Import a manufacturer device manifest") { file };
        import.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            var path = parseResult.GetValue(file)!.FullName;
            var devices = DeviceManifest.ParseFile(path, TimeProvider.System.GetUtcNow());
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            var importer = new DeviceImporter(runtime.Storage.Devices, runtime.Storage.Audit, runtime.Time);
            var written = 0;
            await AnsiConsole.Progress().AutoClear(false).StartAsync(async progress =>
            {
                var task = progress.AddTask($"importing {devices.Count} devices", maxValue: Math.Max(1, devices.Count));
                written = await importer.ImportAsync(devices, Path.GetFileName(path), $"cli:{Environment.UserName}",
                    new SyncProgress<(int Done, int Total)>(report => task.Value = report.Done), cancellationToken);
                task.Value = task.MaxValue;
            });
            Console.WriteLine($"imported {written} device(s) from {path}");
            return 0;
        }));

        var dcu = new Option<string?>("--dcu") { Description = "Only devices behind this DCU" };
        var lot = new Option<string?>("--lot") { Description = "Only devices of this manufacturer lot" };
        var limit = new Option<int>("--limit") { Description = "At most this many rows", DefaultValueFactory = _ => 100 };
        var list = new Command("list", "List registered devices") { dcu, lot, limit };
        list.SetAction((parseResult, cancellationToken) => CommandRunner.RunAsync(async () =>
        {
            await using var runtime = await CliOptions.OpenAsync(parseResult, cancellationToken);
            var rows = await runtime.Storage.Devices.ListAsync(parseResult.GetValue(dcu), parseResult.GetValue(lot), parseResult.GetValue(limit), 0, cancellationToken);
            foreach (var device in rows)
            {
                Console.WriteLine($"{device.SystemTitle}  {device.Kind,-14} {device.Manufacturer,-16} lot {device.ManufacturerLot ?? "-",-12} dcu {device.Dcu ?? "-",-12} idevid {device.IDevIdSha256 ?? device.IDevIdSerial ?? "-"}");
            }
            Console.WriteLine($"{rows.Count} device(s)");
            return 0;
        }));
        return new Command("devices", "Device registry") { import, list };
    }
}
