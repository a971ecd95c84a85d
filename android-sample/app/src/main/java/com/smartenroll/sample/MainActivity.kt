package com.smartenroll.sample

import android.os.Bundle
import androidx.activity.ComponentActivity
import androidx.activity.compose.setContent
import androidx.activity.enableEdgeToEdge
import androidx.activity.viewModels
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.safeDrawingPadding
import androidx.compose.material3.Surface
import androidx.compose.ui.Modifier
import com.smartenroll.sample.ui.ConfigurationErrorScreen
import com.smartenroll.sample.ui.EnrollApp
import com.smartenroll.sample.ui.SampleTheme

class MainActivity : ComponentActivity() {
    private val viewModel: EnrollViewModel by viewModels()

    override fun onCreate(savedInstanceState: Bundle?) {
        enableEdgeToEdge()
        super.onCreate(savedInstanceState)
        setContent {
            SampleTheme {
                Surface(Modifier.fillMaxSize().safeDrawingPadding()) {
                    val controller = viewModel.controller
                    if (controller != null) {
                        EnrollApp(controller, viewModel.clock)
                    } else {
                        ConfigurationErrorScreen(viewModel.setupError.orEmpty())
                    }
                }
            }
        }
    }
}
