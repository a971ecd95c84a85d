package com.smartenroll.sample

import android.app.Application
import androidx.lifecycle.AndroidViewModel
import androidx.lifecycle.viewModelScope
import com.smartenroll.sample.camera.createLivenessCapture
import com.smartenroll.sample.logic.SelfieCapture
import com.smartenroll.sample.logic.SystemClock
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch

/**
 * Keeps the selfie's [SelfieCapture] (the SDK's `LivenessCapture`: ONNX Runtime session, model
 * bytes) across configuration changes. It is built once, on a background dispatcher (loading the
 * model takes a while and must not block the UI thread), and closed when the view model is.
 */
class SelfieViewModel(application: Application) : AndroidViewModel(application) {
    private val _selfie = MutableStateFlow<SelfieCapture?>(null)

    /** Null until the capture is ready. */
    val selfie: StateFlow<SelfieCapture?> = _selfie.asStateFlow()

    private var cleared = false

    init {
        viewModelScope.launch(Dispatchers.Default) {
            val built = SelfieCapture(createLivenessCapture(application), SystemClock)
            synchronized(this@SelfieViewModel) {
                if (cleared) built.close() else _selfie.value = built
            }
        }
    }

    override fun onCleared() {
        synchronized(this) {
            cleared = true
            _selfie.value?.close()
            _selfie.value = null
        }
    }
}
