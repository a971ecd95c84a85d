package com.smartenroll.sample.logic

/**
 * The hosts a debug build may reach over plain HTTP, from the build's comma-separated
 * `smartEnroll.cleartextHosts` Gradle property (BuildConfig `CLEARTEXT_HOSTS`, default
 * `10.0.2.2`, the emulator's alias for the development machine; add the machine's LAN address
 * for a phone). They become the SDK client's `InsecureHttp.Hosts`, which is what enforces the
 * rule: the SDK's HTTP stack (rustls) does not read Android's network security config. Blank
 * entries are dropped; an empty list means HTTPS only.
 */
fun cleartextHosts(csv: String): List<String> =
    csv.split(',').map { it.trim() }.filter { it.isNotEmpty() }.distinct()
