using NRunc.Tests.Cgroups;

// Runs the real-kernel cgroup tests for whichever cgroup version this machine has and prints
// "N passed, N failed, N skipped" (exit 1 on any failure). The test methods are listed by hand: no reflection.
var v2 = new HostV2Tests();
var v1 = new HostV1Tests();
var devices = new DeviceFilterTests();
var tests = new (string Name, bool V2, Action Run)[]
{
    ("HostV2Tests.Lifecycle_create_apply_set_freeze_stats_destroy", true, v2.Lifecycle_create_apply_set_freeze_stats_destroy),
    ("HostV2Tests.Errors_name_the_key_or_the_controller", true, v2.Errors_name_the_key_or_the_controller),
    ("HostV2Tests.Relative_path_goes_under_the_parent_of_our_own_cgroup", true, v2.Relative_path_goes_under_the_parent_of_our_own_cgroup),
    ("HostV2Tests.FromPaths_round_trip_and_sub_cgroups_are_removed", true, v2.FromPaths_round_trip_and_sub_cgroups_are_removed),
    ("DeviceFilterTests.The_kernel_verifier_accepts_the_filter_and_an_update_replaces_it", true, devices.The_kernel_verifier_accepts_the_filter_and_an_update_replaces_it),
    ("HostV1Tests.Lifecycle_create_apply_set_freeze_stats_destroy", false, v1.Lifecycle_create_apply_set_freeze_stats_destroy),
    ("HostV1Tests.Memory_and_swap_can_be_raised_and_lowered", false, v1.Memory_and_swap_can_be_raised_and_lowered),
    ("HostV1Tests.Pids_limit_zero_or_negative_is_max", false, v1.Pids_limit_zero_or_negative_is_max),
    ("HostV1Tests.Errors_name_the_value_the_file_or_the_resource", false, v1.Errors_name_the_value_the_file_or_the_resource),
    ("HostV1Tests.FromPaths_finds_the_same_cgroups_and_destroys_sub_cgroups", false, v1.FromPaths_finds_the_same_cgroups_and_destroys_sub_cgroups),
    ("HostV1Tests.Create_without_resources_still_gets_the_default_device_rules_and_linux_devices", false, v1.Create_without_resources_still_gets_the_default_device_rules_and_linux_devices),
    ("HostV1Tests.Relative_cgroupsPath_is_under_own_cgroup", false, v1.Relative_cgroupsPath_is_under_own_cgroup),
};
int passed = 0, failed = 0, skipped = 0;
foreach (var (name, isV2, run) in tests)
{
    var skip = isV2 ? new V2RootFactAttribute().Skip : new V1RootFactAttribute().Skip;
    if (skip is not null) { skipped++; Console.WriteLine($"skip {name}: {skip}"); continue; }
    var sw = System.Diagnostics.Stopwatch.StartNew();
    try { run(); passed++; Console.WriteLine($"ok   {name} ({sw.ElapsedMilliseconds} ms)"); }
    catch (Exception e) { failed++; Console.WriteLine($"FAIL {name}: {e.GetType().Name}: {e.Message}\n{e.StackTrace}"); }
}
Console.WriteLine($"{passed} passed, {failed} failed, {skipped} skipped");
return failed == 0 ? 0 : 1;
