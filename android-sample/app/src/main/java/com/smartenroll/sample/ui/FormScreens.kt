package com.smartenroll.sample.ui

import android.content.Intent
import android.net.Uri
import androidx.compose.foundation.layout.Arrangement
import androidx.compose.foundation.layout.Box
import androidx.compose.foundation.layout.Column
import androidx.compose.foundation.layout.Row
import androidx.compose.foundation.layout.fillMaxSize
import androidx.compose.foundation.layout.fillMaxWidth
import androidx.compose.foundation.layout.heightIn
import androidx.compose.foundation.selection.selectable
import androidx.compose.foundation.selection.selectableGroup
import androidx.compose.foundation.text.KeyboardOptions
import androidx.compose.material3.Checkbox
import androidx.compose.material3.CircularProgressIndicator
import androidx.compose.material3.MaterialTheme
import androidx.compose.material3.OutlinedTextField
import androidx.compose.material3.RadioButton
import androidx.compose.material3.Text
import androidx.compose.runtime.Composable
import androidx.compose.runtime.LaunchedEffect
import androidx.compose.runtime.collectAsState
import androidx.compose.runtime.getValue
import androidx.compose.runtime.mutableIntStateOf
import androidx.compose.runtime.mutableStateOf
import androidx.compose.runtime.remember
import androidx.compose.runtime.saveable.rememberSaveable
import androidx.compose.runtime.setValue
import androidx.compose.ui.Alignment
import androidx.compose.ui.Modifier
import androidx.compose.ui.platform.LocalContext
import androidx.compose.ui.res.stringResource
import androidx.compose.ui.semantics.LiveRegionMode
import androidx.compose.ui.semantics.Role
import androidx.compose.ui.semantics.contentDescription
import androidx.compose.ui.semantics.liveRegion
import androidx.compose.ui.semantics.semantics
import androidx.compose.ui.text.input.ImeAction
import androidx.compose.ui.text.input.KeyboardType
import androidx.compose.ui.unit.dp
import com.smartenroll.sample.R
import com.smartenroll.sample.logic.Clock
import com.smartenroll.sample.logic.Decisions
import com.smartenroll.sample.logic.ErrorKind
import com.smartenroll.sample.logic.PhoneChannel
import com.smartenroll.sample.logic.ResendCountdown
import com.smartenroll.sample.logic.Screen
import com.smartenroll.sample.logic.ScoreLine
import com.smartenroll.sample.logic.SignUpForm
import com.smartenroll.sample.logic.formatCountdown
import com.smartenroll.sample.logic.isCompleteCode
import com.smartenroll.sample.logic.normaliseCode

@Composable
fun LoadingScreen() {
    val label = stringResource(R.string.resuming)
    Box(Modifier.fillMaxSize(), contentAlignment = Alignment.Center) {
        Column(horizontalAlignment = Alignment.CenterHorizontally, verticalArrangement = Arrangement.spacedBy(12.dp)) {
            CircularProgressIndicator()
            Text(label, modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite })
        }
    }
}

@Composable
fun SignUpScreen(screen: Screen.SignUp, onSubmit: (SignUpForm) -> Unit, onRestart: () -> Unit) {
    // Only the fields the flow asks for (screen.fields, from the flow configuration) are shown.
    val fields = screen.fields
    var fullName by rememberSaveable { mutableStateOf(screen.form.fullName) }
    var firstName by rememberSaveable { mutableStateOf(screen.form.firstName) }
    var lastName by rememberSaveable { mutableStateOf(screen.form.lastName) }
    var email by rememberSaveable { mutableStateOf(screen.form.email) }
    var countryCode by rememberSaveable { mutableStateOf(screen.form.countryCode) }
    var phone by rememberSaveable { mutableStateOf(screen.form.phone) }
    var channel by rememberSaveable {
        mutableStateOf(screen.form.phoneChannel ?: fields.phoneChannels.firstOrNull())
    }
    var acceptedTerms by rememberSaveable { mutableStateOf(screen.form.acceptedTerms) }
    var acceptedPrivacy by rememberSaveable { mutableStateOf(screen.form.acceptedPrivacy) }
    val invalid = screen.error?.kind == ErrorKind.INVALID_INPUT
    // The field the error is about (when known), else every field of the kind that failed.
    val errorField = screen.error?.field
    fun flagged(vararg names: String): Boolean = invalid && (errorField == null || errorField in names)
    val submit = {
        onSubmit(
            SignUpForm(
                fullName = fullName.trim(),
                email = email.trim(),
                countryCode = countryCode.trim(),
                phone = phone.trim(),
                firstName = firstName.trim(),
                lastName = lastName.trim(),
                phoneChannel = channel?.takeIf { fields.phoneChannels.size > 1 },
                acceptedTerms = acceptedTerms,
                acceptedPrivacy = acceptedPrivacy,
            ),
        )
    }

    Page(stringResource(R.string.signup_title)) {
        Text(stringResource(R.string.signup_subtitle), style = MaterialTheme.typography.bodyLarge)
        if (fields.fullName) {
            OutlinedTextField(
                value = fullName,
                onValueChange = { fullName = it },
                label = { Text(stringResource(R.string.field_full_name)) },
                singleLine = true,
                isError = flagged("fullName"),
                keyboardOptions = KeyboardOptions(imeAction = ImeAction.Next),
                modifier = Modifier.fillMaxWidth(),
            )
        }
        if (fields.firstName) {
            OutlinedTextField(
                value = firstName,
                onValueChange = { firstName = it },
                label = { Text(stringResource(R.string.field_first_name)) },
                singleLine = true,
                isError = flagged("firstName", "fullName"),
                keyboardOptions = KeyboardOptions(imeAction = ImeAction.Next),
                modifier = Modifier.fillMaxWidth(),
            )
        }
        if (fields.lastName) {
            OutlinedTextField(
                value = lastName,
                onValueChange = { lastName = it },
                label = { Text(stringResource(R.string.field_last_name)) },
                singleLine = true,
                isError = flagged("lastName", "fullName"),
                keyboardOptions = KeyboardOptions(imeAction = ImeAction.Next),
                modifier = Modifier.fillMaxWidth(),
            )
        }
        if (fields.email) {
            OutlinedTextField(
                value = email,
                onValueChange = { email = it },
                label = { Text(stringResource(R.string.field_email)) },
                singleLine = true,
                isError = flagged("email"),
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Email, imeAction = ImeAction.Next),
                modifier = Modifier.fillMaxWidth(),
            )
        }
        if (fields.phone) {
            OutlinedTextField(
                value = countryCode,
                onValueChange = { countryCode = it },
                label = { Text(stringResource(R.string.field_country_code)) },
                placeholder = { Text(stringResource(R.string.field_country_code_hint)) },
                singleLine = true,
                isError = flagged("countryCode", "phone"),
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Phone, imeAction = ImeAction.Next),
                modifier = Modifier.fillMaxWidth(),
            )
            OutlinedTextField(
                value = phone,
                onValueChange = { phone = it },
                label = { Text(stringResource(R.string.field_phone)) },
                singleLine = true,
                isError = flagged("phone"),
                keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.Phone, imeAction = ImeAction.Done),
                modifier = Modifier.fillMaxWidth(),
            )
            // The phone code's channel follows the flow's gateway: fixed, or the user's pick.
            when (fields.phoneChannels.size) {
                0 -> {}
                1 -> Text(
                    stringResource(
                        if (fields.phoneChannels[0] == PhoneChannel.WHATSAPP) R.string.signup_code_by_whatsapp
                        else R.string.signup_code_by_sms,
                    ),
                    style = MaterialTheme.typography.bodyMedium,
                )
                else -> {
                    Text(stringResource(R.string.signup_code_choose), style = MaterialTheme.typography.bodyMedium)
                    Column(Modifier.selectableGroup()) {
                        for (option in fields.phoneChannels) {
                            ChoiceRow(
                                label = stringResource(
                                    if (option == PhoneChannel.WHATSAPP) R.string.phone_channel_whatsapp
                                    else R.string.phone_channel_sms,
                                ),
                                selected = option == channel,
                                role = Role.RadioButton,
                                enabled = !screen.busy,
                            ) { channel = option }
                        }
                    }
                }
            }
        }
        if (fields.termsAndConditions) {
            ChoiceRow(
                label = stringResource(R.string.signup_accept_terms),
                selected = acceptedTerms,
                role = Role.Checkbox,
                enabled = !screen.busy,
                isError = flagged("terms"),
            ) { acceptedTerms = !acceptedTerms }
            fields.termsUrl?.let { url -> LinkButton(stringResource(R.string.signup_read_terms), url) }
        }
        if (fields.privacyNotice) {
            ChoiceRow(
                label = stringResource(R.string.signup_accept_privacy),
                selected = acceptedPrivacy,
                role = Role.Checkbox,
                enabled = !screen.busy,
                isError = flagged("privacy"),
            ) { acceptedPrivacy = !acceptedPrivacy }
            fields.privacyUrl?.let { url -> LinkButton(stringResource(R.string.signup_read_privacy), url) }
        }
        ErrorBanner(screen.error, onRetry = submit, onRestart = onRestart)
        BusyIndicator(screen.busy)
        PrimaryButton(stringResource(R.string.signup_submit), enabled = !screen.busy, onClick = submit)
    }
}

/** A full-width, touch-target-sized radio button or checkbox row. */
@Composable
private fun ChoiceRow(
    label: String,
    selected: Boolean,
    role: Role,
    enabled: Boolean,
    isError: Boolean = false,
    onClick: () -> Unit,
) {
    Row(
        Modifier
            .fillMaxWidth()
            .heightIn(min = MinTouchTarget)
            .selectable(selected = selected, enabled = enabled, role = role, onClick = onClick),
        verticalAlignment = Alignment.CenterVertically,
    ) {
        if (role == Role.Checkbox) {
            Checkbox(checked = selected, onCheckedChange = null)
        } else {
            RadioButton(selected = selected, onClick = null)
        }
        Text(
            label,
            color = if (isError) MaterialTheme.colorScheme.error else MaterialTheme.colorScheme.onSurface,
        )
    }
}

/** The seconds left on a resend countdown, ticking once a second on [clock]. */
@Composable
fun rememberSecondsLeft(countdown: ResendCountdown?, clock: Clock): Int {
    val seconds = remember(countdown) { mutableIntStateOf(countdown?.secondsLeft(clock.nowMillis()) ?: 0) }
    LaunchedEffect(countdown) {
        countdown?.ticks(clock)?.collect { seconds.intValue = it }
    }
    return seconds.intValue
}

/** Email or phone code entry, with the resend countdown. */
@Composable
fun OtpScreen(
    title: String,
    maskedDestination: String,
    resend: ResendCountdown?,
    attemptsLeft: Int?,
    needsNewCode: Boolean,
    optional: Boolean,
    screen: Screen,
    clock: Clock,
    onSubmit: (String) -> Unit,
    onResend: () -> Unit,
    onSkip: () -> Unit,
    onRetry: () -> Unit,
    onRestart: () -> Unit,
) {
    var code by rememberSaveable(maskedDestination) { mutableStateOf("") }
    val secondsLeft = rememberSecondsLeft(resend, clock)
    val submit = { onSubmit(normaliseCode(code)) }

    Page(title) {
        Text(stringResource(R.string.otp_sent_to, maskedDestination), style = MaterialTheme.typography.bodyLarge)
        OutlinedTextField(
            value = code,
            onValueChange = { code = normaliseCode(it) },
            label = { Text(stringResource(R.string.otp_field)) },
            singleLine = true,
            isError = screen.error?.kind == ErrorKind.OTP_MISMATCH,
            keyboardOptions = KeyboardOptions(keyboardType = KeyboardType.NumberPassword, imeAction = ImeAction.Done),
            modifier = Modifier.fillMaxWidth(),
        )
        if (attemptsLeft != null) {
            Text(stringResource(R.string.attempts_left, attemptsLeft), style = MaterialTheme.typography.bodySmall)
        }
        ErrorBanner(screen.error, onRetry = onRetry, onRestart = onRestart)
        BusyIndicator(screen.busy)
        if (needsNewCode) {
            Text(
                stringResource(R.string.otp_needs_new_code),
                modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite },
            )
        }
        PrimaryButton(
            stringResource(R.string.otp_submit),
            enabled = !screen.busy && !needsNewCode && isCompleteCode(code),
            onClick = submit,
        )
        val resendLabel = if (secondsLeft > 0) {
            stringResource(R.string.otp_resend_in, formatCountdown(secondsLeft))
        } else {
            stringResource(R.string.otp_resend)
        }
        QuietButton(resendLabel, enabled = !screen.busy && secondsLeft == 0, onClick = onResend)
        if (Decisions.canSkip(optional, screen.busy)) {
            QuietButton(stringResource(R.string.action_skip), onClick = onSkip)
        }
    }
}

/** Opens one of the project's pages (an `https://` URL, checked by the logic) in the browser. */
@Composable
private fun LinkButton(label: String, url: String) {
    val context = LocalContext.current
    QuietButton(label) { context.startActivity(Intent(Intent.ACTION_VIEW, Uri.parse(url))) }
}

@Composable
fun PhoneChannelScreen(
    screen: Screen.PhoneChannelChoice,
    onChoose: (PhoneChannel) -> Unit,
    onSkip: () -> Unit,
    onRetry: () -> Unit,
    onRestart: () -> Unit,
) {
    Page(stringResource(R.string.phone_channel_title)) {
        for (channel in screen.channels) {
            val label = when (channel) {
                PhoneChannel.SMS -> stringResource(R.string.phone_channel_sms)
                PhoneChannel.WHATSAPP -> stringResource(R.string.phone_channel_whatsapp)
            }
            SecondaryButton(label, enabled = !screen.busy) { onChoose(channel) }
        }
        if (Decisions.canSkip(screen.optional, screen.busy)) {
            QuietButton(stringResource(R.string.action_skip), onClick = onSkip)
        }
        ErrorBanner(screen.error, onRetry = onRetry, onRestart = onRestart)
        BusyIndicator(screen.busy)
    }
}

/** An automatic step (sync, compare...) is running, or stopped on an error with "Try again". */
@Composable
fun ProcessingScreen(screen: Screen.Processing, onRetry: () -> Unit, onRestart: () -> Unit) {
    Page(stringResource(R.string.working)) {
        Text(
            stringResource(R.string.processing_body),
            style = MaterialTheme.typography.bodyLarge,
            modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite },
        )
        ErrorBanner(screen.error, onRetry = onRetry, onRestart = onRestart)
        BusyIndicator(screen.busy)
    }
}

/**
 * The review before the end: what the server read from the document, the names check, the
 * liveness and face-match scores with the flow's minimums and the criminal check. "Confirm" ends
 * the enrollment (`confirm()`).
 */
@Composable
fun ReviewScreen(screen: Screen.Review, onConfirm: () -> Unit, onRestart: () -> Unit) {
    val review = screen.review
    Page(stringResource(R.string.review_title)) {
        Text(stringResource(R.string.review_body), style = MaterialTheme.typography.bodyLarge)

        Text(stringResource(R.string.review_document), style = MaterialTheme.typography.titleMedium)
        if (review.documentFields.isEmpty()) {
            Text(stringResource(R.string.review_no_document), style = MaterialTheme.typography.bodyMedium)
        }
        for (field in review.documentFields) {
            ReviewLine(stringResource(reviewFieldStringRes(field.labelKey)), field.value)
        }

        if (review.documentCodeCompared && review.disagreements.isEmpty()) {
            Text(stringResource(R.string.review_document_code_matches), style = MaterialTheme.typography.bodyMedium)
        }
        if (review.disagreements.isNotEmpty()) {
            Text(stringResource(R.string.review_disagreements), style = MaterialTheme.typography.titleMedium)
            Text(stringResource(R.string.review_disagreements_body), style = MaterialTheme.typography.bodyMedium)
            for (d in review.disagreements) {
                ReviewLine(
                    stringResource(reviewFieldStringRes(d.labelKey)),
                    stringResource(R.string.review_disagreement_values, d.server, d.document),
                )
            }
        }

        Text(stringResource(R.string.review_checks), style = MaterialTheme.typography.titleMedium)
        review.namesMatch?.let { match ->
            ReviewLine(
                stringResource(R.string.review_names_match),
                stringResource(if (match) R.string.review_names_match_yes else R.string.review_names_match_no),
            )
        }
        review.liveness?.let { ReviewLine(stringResource(R.string.review_liveness), scoreText(it)) }
        review.compare?.let { ReviewLine(stringResource(R.string.review_compare), scoreText(it)) }
        review.criminalCheck?.let {
            ReviewLine(stringResource(R.string.review_criminal_check), stringResource(criminalCheckStringRes(it)))
        }
        if (review.expectedToFail) {
            Text(
                stringResource(R.string.review_expected_failure),
                color = MaterialTheme.colorScheme.error,
                modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite },
            )
        }
        ErrorBanner(screen.error, onRetry = onConfirm, onRestart = onRestart)
        BusyIndicator(screen.busy)
        PrimaryButton(stringResource(R.string.review_confirm), enabled = !screen.busy, onClick = onConfirm)
    }
}

/** A label and its value, read together by TalkBack. */
@Composable
private fun ReviewLine(label: String, value: String) {
    Column(Modifier.fillMaxWidth().semantics(mergeDescendants = true) {}) {
        Text(label, style = MaterialTheme.typography.labelLarge)
        Text(value, style = MaterialTheme.typography.bodyLarge)
    }
}

@Composable
private fun scoreText(line: ScoreLine): String = stringResource(
    if (line.passed) R.string.review_score_passed else R.string.review_score_not_passed,
    line.percent,
    line.minPercent,
)

@Composable
fun ResultScreen(screen: Screen.Result, onNewEnrollment: () -> Unit) {
    val context = LocalContext.current
    var showToken by rememberSaveable { mutableStateOf(false) }
    Page(stringResource(R.string.result_title)) {
        Text(
            stringResource(outcomeStringRes(screen.outcome)),
            style = MaterialTheme.typography.titleMedium,
            modifier = Modifier.semantics { liveRegion = LiveRegionMode.Polite },
        )
        Text(stringResource(R.string.result_token), style = MaterialTheme.typography.labelLarge)
        // The token is a credential: hidden until asked for, and never read out by default.
        val hidden = stringResource(R.string.result_token_hidden, screen.token.length)
        Text(
            text = if (showToken) screen.token else hidden,
            style = MaterialTheme.typography.bodySmall,
            modifier = Modifier.semantics { contentDescription = if (showToken) screen.token else hidden },
        )
        QuietButton(
            stringResource(if (showToken) R.string.result_token_hide else R.string.result_token_show),
        ) { showToken = !showToken }
        val redirect = screen.redirectUrl
        if (redirect != null) {
            Text(
                stringResource(R.string.result_redirect_url, redirect.substringBefore('?')),
                style = MaterialTheme.typography.bodySmall,
            )
            PrimaryButton(stringResource(R.string.result_redirect)) {
                context.startActivity(Intent(Intent.ACTION_VIEW, Uri.parse(redirect)))
            }
        }
        SecondaryButton(stringResource(R.string.result_new_enrollment), onClick = onNewEnrollment)
    }
}

@Composable
fun FatalScreen(screen: Screen.Fatal, onRestart: () -> Unit) {
    Page(stringResource(R.string.app_name)) {
        ErrorBanner(screen.error, onRetry = null, onRestart = onRestart)
        if (screen.error.action != com.smartenroll.sample.logic.RecoveryAction.RESTART) {
            PrimaryButton(stringResource(R.string.action_start_over), onClick = onRestart)
        }
    }
}

/** Shown when the SDK client could not be created from the build's configuration. */
@Composable
fun ConfigurationErrorScreen(detail: String) {
    Page(stringResource(R.string.app_name)) {
        Text(stringResource(R.string.error_configuration), color = MaterialTheme.colorScheme.error)
        Text(detail, style = MaterialTheme.typography.bodySmall)
    }
}
