using BenchmarkDotNet.Running;
using Shield.Benchmarks;
using Shield.Benchmarks.OutsideProcess;

if (args is ["audit-load", ..])
{
    await AuditWriterLoad.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 200_000, args.Length > 2 ? int.Parse(args[2]) : 256);
    return;
}

if (args is ["relay-load", ..])
{
    await RelayLoad.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 2_000, args.Length > 2 ? [.. args[2..].Select(int.Parse)] : [1, 16, 64]);
    return;
}

if (args is ["relay-process", ..])
{
    await OutsideRelayLoad.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 3_000, args.Length > 2 ? int.Parse(args[2]) : 3,
        args.Length > 3 ? [.. args[3..].Select(int.Parse)] : [1, 16]);
    return;
}

if (args is ["relay-revisions", ..])
{
    foreach (var upstream in new[] { "2025-11-25", "2026-07-28" })
    {
        await OutsideRelayLoad.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 3_000, args.Length > 2 ? int.Parse(args[2]) : 3,
            args.Length > 3 ? [.. args[3..].Select(int.Parse)] : [1, 16], [OutsideRelayLoad.CSharp, OutsideRelayLoad.CSharp2026], upstream);
    }

    return;
}

if (args is ["relay-soak", ..])
{
    await OutsideRelayLoad.SoakAsync(args.Length > 1 ? int.Parse(args[1]) : 100_000, args.Length > 2 ? int.Parse(args[2]) : 16);
    return;
}

if (args is ["relay-cluster", var clusterDatabase, var clusterRedis, ..])
{
    await ClusterRelayLoad.RunAsync(clusterDatabase, clusterRedis, args.Length > 3 ? int.Parse(args[3]) : 3, args.Length > 4 ? int.Parse(args[4]) : 3_000,
        args.Length > 5 ? int.Parse(args[5]) : 3, args.Length > 6 ? int.Parse(args[6]) : 16);
    return;
}

if (args is ["relay-floor", ..])
{
    await SdkFloor.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 3_000, args.Length > 2 ? int.Parse(args[2]) : 3,
        args.Length > 3 ? [.. args[3..].Select(int.Parse)] : [1, 16]);
    return;
}

if (args is ["sdk-floor", var floor, ..])
{
    await SdkFloor.ServeAsync(floor == "relay" ? args[2] : null);
    return;
}

if (args is ["canned-upstream", ..])
{
    await CannedUpstream.RunAsync(args.Length > 1 ? args[1] : "2025-11-25");
    return;
}

if (args is ["approval-load", ..])
{
    await ApprovalLoad.RunAsync(args.Length > 1 ? int.Parse(args[1]) : 200, args.Length > 2 ? int.Parse(args[2]) : 100);
    return;
}

if (args is ["approval-cluster", var calls, var reviewers, var postgres, var redis])
{
    await ApprovalLoad.RunAsync(int.Parse(calls), int.Parse(reviewers), new BenchCluster(postgres, redis));
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ReconcileBenchmarks).Assembly).Run(args);
