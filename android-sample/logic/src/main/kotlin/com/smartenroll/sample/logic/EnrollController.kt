package com.smartenroll.sample.logic

import com.smartenroll.sdk.DocumentIdentity
import com.smartenroll.sdk.EnrollState
import com.smartenroll.sdk.EnrollmentSession
import com.smartenroll.sdk.FlowSummary
import com.smartenroll.sdk.SmartEnrollClient
import com.smartenroll.sdk.states
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.launch
import kotlinx.coroutines.sync.Mutex
import kotlinx.coroutines.sync.withLock
import kotlinx.coroutines.withContext

/** Which project and flow the app enrolls into, and the language of server messages. */
data class EnrollTarget(
    val projectId: String,
    val flowId: String?,
    val language: String = "en",
)

/**
 * The sample app's brain, free of any Android or iOS framework type.
 *
 * - It owns one SDK [EnrollmentSession] at a time, collects its state `Flow` and maps every state
 *   to a [Screen] ([screen]).
 * - User actions (`signUp`, `submitEmailCode`, ...) run the SDK call on [scope]; while it runs
 *   the screen is `busy`, and a failure stays on the same screen as a [UserError] with the
 *   recovery chosen by [Decisions]. [retry] repeats the last failed action.
 * - After every state change the session snapshot is written to the [SnapshotStore], so a new
 *   controller ([start]) resumes where the killed process stopped. Every store call runs on
 *   [io] (`Dispatchers.IO`; the Keystore and the disk are slow), and any failure of the store
 *   (a Keystore error on every launch, a damaged file, a full disk) deletes the snapshot and
 *   goes on without it: the user starts fresh, the app never crashes over it.
 */
class EnrollController(
    private val client: SmartEnrollClient,
    private val target: EnrollTarget,
    private val store: SnapshotStore,
    private val scope: CoroutineScope,
    private val io: CoroutineDispatcher = Dispatchers.IO,
) : AutoCloseable {
    private val _screen = MutableStateFlow<Screen>(Screen.Loading())

    /** What the UI shows. */
    val screen: StateFlow<Screen> = _screen.asStateFlow()

    private val lock = Mutex()

    /** Every store call, one at a time and in order, off the UI thread. */
    private val storeIo = io.limitedParallelism(1)
    private var session: EnrollmentSession? = null
    private var stateJob: Job? = null
    /** The fields the flow asks for; fetched once, when the sign-up form is first needed. */
    private var fields: SignUpFields? = null
    /** The flow fetched for [fields]: `newEnrollment` reuses it (no second request). */
    private var flow: FlowSummary? = null
    private var form = SignUpForm()
    private var lastFailed: (suspend () -> Unit)? = null

    @Volatile private var inFlight = false

    /**
     * Resumes the stored session if there is one, else fetches the flow configuration and shows
     * the sign-up form with the fields the flow asks for.
     */
    fun start(): Job = scope.launch {
        lock.withLock {
            val saved = loadSnapshot()
            if (saved != null) {
                try {
                    attach(client.restoreEnrollment(saved))
                    return@withLock
                } catch (e: CancellationException) {
                    throw e
                } catch (e: Exception) {
                    // The stored session cannot continue: start over. An expired session is
                    // worth saying; a damaged or outdated snapshot is not the user's business.
                    clearSnapshot()
                    val error = SdkMapping.userErrorFor(e).takeIf { it.kind == ErrorKind.SESSION_EXPIRED }
                    showSignUp(error)
                    return@withLock
                }
            }
            showSignUp()
        }
    }

    fun signUp(input: SignUpForm) = act {
        form = input
        val existing = session
        if (existing != null && existing.state() !is EnrollState.NotStarted) {
            // A registration exists already (e.g. the answer to a first try was lost): continue it.
            existing.resume()
            return@act
        }
        // Only the fields the flow asks for are checked and sent; nothing starts while one is missing.
        val asked = fields ?: loadFields()
        SignUpRules.invalidField(asked, input)?.let { throw InvalidSignUpField(it) }
        // Validates the input and plans the steps of the flow fetched with the fields.
        val fresh = client.newEnrollment(
            flow ?: client.fetchFlowConfig(target.projectId, target.flowId),
            SdkMapping.signUpData(asked, input, target.language),
        )
        attach(fresh)
        try {
            fresh.start()
        } catch (e: Exception) {
            // Nothing was created (bad input, already registered...): the next try starts a new
            // session with the corrected form.
            if (fresh.state() is EnrollState.NotStarted) detach()
            throw e
        }
    }

    fun submitEmailCode(code: String) = act { requireSession().submitEmailCode(normaliseCode(code)) }

    fun resendEmailCode() = act { requireSession().resendEmailCode() }

    fun choosePhoneChannel(channel: PhoneChannel) = act {
        requireSession().choosePhoneChannel(SdkMapping.sdkChannel(channel))
    }

    fun submitPhoneCode(code: String) = act { requireSession().submitPhoneCode(normaliseCode(code)) }

    fun resendPhoneCode() = act { requireSession().resendPhoneCode() }

    /**
     * Uploads the document side the screen shows (the SDK takes it from its state; [category] is
     * a key from [Screen.Document.categories]). [identity]: what the page's MRZ or barcode says
     * (`documentIdentity(captured.mrz, captured.barcode)`), for the review's cross-check.
     */
    fun submitDocument(category: String, image: ByteArray, identity: DocumentIdentity? = null) = act {
        val sdkCategory = SdkMapping.sdkCategory(category)
            ?: throw IllegalArgumentException("unknown document category")
        val session = requireSession()
        // What the page's MRZ / barcode says (read on the device): the review compares the
        // server's OCR with it. Nothing is sent; a side without such data keeps the earlier one.
        if (identity != null) session.setDocumentData(identity)
        session.submitDocument(image, sdkCategory)
    }

    /** Uploads the selfie (the JPEG the prefilter captured, or a photo). */
    fun submitSelfie(jpeg: ByteArray) = act { requireSession().submitSelfie(jpeg) }

    /** Skips the current optional step. */
    fun skipStep() = act { requireSession().skipStep() }

    /** Finishes without the KYC steps (offered only when the flow allows it). */
    fun skipKyc() = act { requireSession().skipKyc() }

    /** Confirms the review ([Screen.Review]): the SDK syncs `end` and the result follows. */
    fun confirm() = act { requireSession().confirm() }

    /** Continues an automatic step that stopped on an error. */
    fun resume() = act { requireSession().resume() }

    /** Repeats the last action that failed (the "Try again" button). */
    fun retry(): Job {
        val action = lastFailed ?: return resume()
        return act(action)
    }

    /** Cancels the SDK call in flight, if any; the screen shows the state it was in. */
    fun cancel() {
        session?.cancel()
    }

    /** Throws the session away (and its stored snapshot) and shows an empty sign-up form. */
    fun restart(): Job = scope.launch {
        lock.withLock {
            detach()
            clearSnapshot()
            lastFailed = null
            form = SignUpForm()
            showSignUp()
        }
    }

    /** Stops observing and releases the native session; the stored snapshot stays. */
    override fun close() {
        stateJob?.cancel()
        stateJob = null
        session?.close()
        session = null
    }

    /** Fetches the flow's sign-up fields (public flow configuration) and keeps them. */
    private suspend fun loadFields(): SignUpFields {
        val fetched = client.fetchFlowConfig(target.projectId, target.flowId)
        if (!fetched.active) throw FlowNotActive()
        flow = fetched
        return SdkMapping.signUpFields(fetched).also { fields = it }
    }

    /**
     * Shows the sign-up form, fetching the flow's fields first if needed. When they cannot be
     * fetched (no network, unknown project or flow, inactive flow) nothing can start: the error is
     * shown and "Start over" ([restart]) fetches again.
     */
    private suspend fun showSignUp(error: UserError? = null) {
        val asked = fields ?: try {
            _screen.value = Screen.Loading()
            loadFields()
        } catch (e: CancellationException) {
            throw e
        } catch (e: Exception) {
            _screen.value = Screen.Fatal(SdkMapping.userErrorFor(e))
            return
        }
        _screen.value = Screen.SignUp(asked, form, error = error)
    }

    /**
     * When the user already picked the phone channel on the sign-up form and the SDK now asks for
     * it, answers with that pick. A failure here is not the action's: the choice screen stays.
     */
    private suspend fun answerChannelChoice() {
        val current = session ?: return
        val state = current.state() as? EnrollState.AwaitingPhoneChannel ?: return
        val asked = fields ?: return
        val pick = SignUpRules.chosenChannel(asked, form, state.channels.map(SdkMapping::channelOf)) ?: return
        try {
            current.choosePhoneChannel(SdkMapping.sdkChannel(pick))
        } catch (e: CancellationException) {
            throw e
        } catch (_: Exception) {
            // The user picks again on the channel screen.
        }
    }

    private fun requireSession(): EnrollmentSession =
        session ?: throw IllegalStateException("no enrollment session")

    private fun attach(newSession: EnrollmentSession) {
        detach()
        session = newSession
        stateJob = scope.launch {
            newSession.states().collect { render(newSession, busy = inFlight) }
        }
    }

    private fun detach() {
        stateJob?.cancel()
        stateJob = null
        session?.let {
            it.cancel()
            it.close()
        }
        session = null
    }

    /**
     * Shows the session's current state (read again rather than trusting a possibly late
     * emission) and stores the snapshot.
     */
    private suspend fun render(current: EnrollmentSession, busy: Boolean = false, error: UserError? = null) {
        if (current !== session) return
        val state = current.state()
        persist(current, state)
        _screen.value = SdkMapping.screenFor(state, fields ?: SignUpFields(), form).with(busy, error)
    }

    /**
     * Stores the snapshot without suspending the render (a render must stay atomic on the
     * controller's dispatcher): the save runs on [storeIo], one at a time and in order, and a
     * failed save deletes the older snapshot (it must not resume an earlier step).
     */
    private fun persist(current: EnrollmentSession, state: EnrollState) {
        if (state is EnrollState.NotStarted) return
        val snapshot = try {
            current.snapshot()
        } catch (e: CancellationException) {
            throw e
        } catch (_: Exception) {
            return
        }
        scope.launch(storeIo) {
            try {
                store.save(snapshot)
            } catch (e: CancellationException) {
                throw e
            } catch (_: Exception) {
                // The app carries on; it just will not resume after being killed.
                clearQuietly()
            }
        }
    }

    /**
     * The stored snapshot, read on [io]; null when there is none or the store failed in any way
     * (then the snapshot is deleted: the next launch must not fail the same way).
     */
    private suspend fun loadSnapshot(): String? = withContext(storeIo) {
        try {
            store.load()
        } catch (e: CancellationException) {
            throw e
        } catch (_: Exception) {
            clearQuietly()
            null
        }
    }

    /** Deletes the snapshot on [io]; a store that cannot even delete is left as it is. */
    private suspend fun clearSnapshot() = withContext(storeIo) { clearQuietly() }

    private fun clearQuietly() {
        try {
            store.clear()
        } catch (_: Exception) {
            // Nothing more to do: the next load fails and lands here again, without a crash.
        }
    }

    /** Attempts left on the step the session is on now (after a failed try). */
    private fun attemptsLeftNow(): Int? = when (val state = session?.state()) {
        is EnrollState.AwaitingDocument -> state.attemptsLeft
        is EnrollState.AwaitingSelfie -> state.attemptsLeft
        else -> null
    }

    /** Runs one user action: busy while it runs, then the new state or the error. */
    private fun act(action: suspend () -> Unit): Job = scope.launch {
        lock.withLock {
            val before = _screen.value
            if (before.busy && before !is Screen.Loading) return@withLock
            _screen.value = before.with(busy = true, error = null)
            inFlight = true
            try {
                action()
                answerChannelChoice()
                inFlight = false
                lastFailed = null
                session?.let { render(it) } ?: run { _screen.value = before.with(busy = false, error = null) }
            } catch (e: CancellationException) {
                inFlight = false
                session?.let { render(it) } ?: run { _screen.value = before.with(false, null) }
                throw e
            } catch (e: Exception) {
                inFlight = false
                lastFailed = action
                val error = SdkMapping.userErrorFor(e, attemptsLeftNow())
                val current = session
                if (error.action == RecoveryAction.RESTART && error.kind == ErrorKind.SESSION_EXPIRED) {
                    clearSnapshot()
                    _screen.value = Screen.Fatal(error)
                } else if (current != null && before !is Screen.SignUp) {
                    render(current, busy = false, error = error)
                } else if (before is Screen.SignUp) {
                    // Still on the sign-up form: keep what was typed, show the error.
                    _screen.value = Screen.SignUp(fields ?: SignUpFields(), form, busy = false, error = error)
                } else {
                    _screen.value = before.with(busy = false, error = error)
                }
            }
        }
    }
}
