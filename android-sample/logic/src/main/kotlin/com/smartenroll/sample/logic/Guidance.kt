package com.smartenroll.sample.logic

/**
 * The prefilter's guidance keys (stable snake_case keys from `FrameFeedback.guidance`) and the
 * string resource each one is shown with (`guidance_<key>`, in EN and ES). A key this version of
 * the app does not know falls back to `guidance_unknown`, so a newer SDK never shows a raw key.
 */
object Guidance {
    /** Every key the prefilter emits, in its priority order. */
    val KEYS: List<String> = listOf(
        "face_not_found",
        "multiple_faces",
        "face_too_close",
        "face_too_small",
        "face_off_center",
        "head_turned",
        "head_tilted",
        "too_dark",
        "too_bright",
        "blurry",
        "moving",
        "turn_head_left",
        "turn_head_right",
        "look_straight",
        "blink",
        "challenge_failed",
        "hold_still",
        "captured",
    )

    const val FALLBACK = "guidance_unknown"

    /** The string resource name for a guidance key. */
    fun resourceName(key: String): String = if (key in KEYS) "guidance_$key" else FALLBACK

    /** Every guidance resource name the app needs (the keys plus the fallback). */
    val RESOURCE_NAMES: List<String> = KEYS.map { "guidance_$it" } + FALLBACK
}
