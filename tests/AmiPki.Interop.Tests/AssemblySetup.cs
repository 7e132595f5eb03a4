// Interop tests start real server processes and clients: run fixtures one at a time on the 2-core machine.
[assembly: NUnit.Framework.NonParallelizable]
