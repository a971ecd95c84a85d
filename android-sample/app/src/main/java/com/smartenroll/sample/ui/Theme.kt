package com.smartenroll.sample.ui

import androidx.compose.foundation.isSystemInDarkTheme
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.darkColorScheme
import androidx.compose.material3.lightColorScheme
import androidx.compose.runtime.Composable
import androidx.compose.ui.graphics.Color
import androidx.compose.ui.unit.dp

private val Blue = Color(0xFF1F6FEB)
private val BlueLight = Color(0xFF8AB4F8)

private val LightColors = lightColorScheme(
    primary = Blue,
    onPrimary = Color.White,
    error = Color(0xFFB3261E),
)

private val DarkColors = darkColorScheme(
    primary = BlueLight,
    onPrimary = Color(0xFF002B6B),
    error = Color(0xFFF2B8B5),
)

/** Minimum size of anything the user can tap (Material and WCAG guidance: 48dp). */
val MinTouchTarget = 48.dp

/** Light or dark colours following the system setting (dark mode is fully supported). */
@Composable
fun SampleTheme(darkTheme: Boolean = isSystemInDarkTheme(), content: @Composable () -> Unit) {
    MaterialTheme(colorScheme = if (darkTheme) DarkColors else LightColors, content = content)
}
