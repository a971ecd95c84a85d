//! Every type parses the documented JSON samples of the contract (docs/api/smart-enroll-v2.md),
//! with each quirk, and round-trips; bad input is a serde error, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use smart_enroll_api::*;

/// Parses `v`, re-serializes it and parses that again: the two parses must be equal.
fn round_trip<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(v: Value) -> T {
    let first: T = serde_json::from_value(v).unwrap();
    let again: T = serde_json::from_value(serde_json::to_value(&first).unwrap()).unwrap();
    assert_eq!(first, again);
    first
}

#[test]
fn create_registration_sample_and_request() {
    // §5.2
    let body = json!({"data":{"appRegistration":{"_id":"674de8df21c72be3cc42b8a7","status":"STARTED","currentStep":"1"},
        "informationValidation":{"_id":"674de8df21c72be3cc42b8a8"},"token":"eyJhbGciOi…"}});
    let d: Data<CreateAppRegistrationResponse> = round_trip(body);
    let r = d.data;
    assert_eq!(r.app_registration.id, "674de8df21c72be3cc42b8a7");
    assert_eq!(r.app_registration.status, Some(RegistrationStatus::Started));
    assert_eq!(r.app_registration.current_step.as_deref(), Some("1"));
    assert_eq!(
        r.information_validation.unwrap().id,
        "674de8df21c72be3cc42b8a8"
    );
    assert_eq!(r.token.expose(), "eyJhbGciOi…");

    let req = CreateAppRegistrationRequest {
        project: "p".into(),
        project_flow: "f".into(),
        email: Some("a@b.co".into()),
        first_name: Some("Ana".into()),
        ..Default::default()
    };
    let v = serde_json::to_value(&req).unwrap();
    assert_eq!(
        v,
        json!({"project":"p","projectFlow":"f","email":"a@b.co","firstName":"Ana"})
    );
    let back: CreateAppRegistrationRequest = round_trip(v);
    assert_eq!(back, req);
    // Unknown fields are ignored; personal data must be a string.
    let lenient: CreateAppRegistrationRequest = serde_json::from_value(
        json!({"project":"p","projectFlow":"f","phone":"3001112233","countryCode":"+57","__v":0,"x":{}}),
    )
    .unwrap();
    assert_eq!(lenient.phone.unwrap().expose(), "3001112233");
    assert!(serde_json::from_value::<CreateAppRegistrationRequest>(json!({"email": 5})).is_err());
    assert!(
        serde_json::from_value::<CreateAppRegistrationRequest>(json!({"projectFlow": 7})).is_err()
    );
}

#[test]
fn ids_as_strings_or_objects_and_numbers_as_strings() {
    let reg: AppRegistration = round_trip(json!({
        "_id": {"$oid": "674de8df21c72be3cc42b8a7"}, "__v": 3,
        "project": {"id": "p1", "name": "Demo", "allowedCountries": ["Colombia"]},
        "projectFlow": "f1",
        "status": "ongoing", "currentStep": 2,
        "documentAttempts": "2", "livenessAttempts": 1.0,
        "biometricValidation": {"_id": "b1", "livenessScore": "0.91"},
        "compareFaceVerification": {"_id": "c1", "type": "compare",
            "result": {"score": "0.85", "passed": true, "compare_min_score": 0.85}, "status": "success"},
        "someFutureField": [1, 2, 3]
    }));
    assert_eq!(reg.id, "674de8df21c72be3cc42b8a7");
    assert_eq!(reg.project_id(), Some("p1"));
    assert_eq!(
        reg.project
            .as_ref()
            .and_then(IdOr::object)
            .map(|p| p.name.as_str()),
        Some("Demo")
    );
    assert_eq!(reg.project_flow_id(), Some("f1"));
    assert_eq!(reg.status, Some(RegistrationStatus::Ongoing));
    assert_eq!(reg.current_step.as_deref(), Some("2"));
    assert_eq!(reg.document_attempts, Some(2));
    assert_eq!(reg.liveness_attempts, Some(1));
    assert_eq!(reg.liveness_score(), Some(0.91));
    let cmp = reg.compare().unwrap();
    assert_eq!(cmp.result.score, Some(0.85));
    assert_eq!(cmp.passed(0.8), Some(true));
    assert_eq!(cmp.status, Some(CompareStatus::Success));
    assert_eq!(cmp.compare_type, Some(CompareType::Compare));
}

#[test]
fn unknown_status_is_kept() {
    let reg: AppRegistration = round_trip(json!({"_id": "r", "status": "ARCHIVED"}));
    assert_eq!(
        reg.status,
        Some(RegistrationStatus::Unknown("ARCHIVED".into()))
    );
    assert!(!reg.status.unwrap().is_known());
    for s in RegistrationStatus::KNOWN {
        let v: RegistrationStatus = serde_json::from_value(json!(s.to_lowercase())).unwrap();
        assert!(v.is_known());
        assert_eq!(serde_json::to_value(&v).unwrap(), json!(s));
    }
    assert!(RegistrationStatus::Completed.is_terminal());
    assert!(!RegistrationStatus::Ongoing.is_terminal());
}

#[test]
fn biometric_answer_both_shapes() {
    // §5.8 / §10 #6: AppRegistration shape with ids ...
    let ids: AppRegistration = round_trip(json!({"_id": "r1", "status": "ONGOING",
        "biometricValidation": "b1", "person": "p1"}));
    assert_eq!(ids.biometric_validation.as_ref().map(IdOr::id), Some("b1"));
    assert_eq!(ids.person.as_ref().map(IdOr::id), Some("p1"));
    assert_eq!(ids.liveness_score(), None);
    // ... and the hosted app's `{biometricValidation{livenessScore}, person}`.
    let nested: AppRegistration = round_trip(
        json!({"biometricValidation": {"_id": "b1", "livenessScore": 0.87}, "person": {"_id": "p1"}}),
    );
    assert_eq!(nested.liveness_score(), Some(0.87));
    assert_eq!(nested.person.as_ref().map(IdOr::id), Some("p1"));
    // A top-level score is read too.
    let top: AppRegistration = round_trip(json!({"_id": "r1", "livenessScore": "0.7"}));
    assert_eq!(top.liveness_score(), Some(0.7));
}

#[test]
fn sync_sample() {
    // §5.4
    let body = json!({"data":{"token":"eyJ…","step":"signUpForm","status":"ONGOING","appRegistrationId":"674de8df21c72be3cc42b8a7",
        "steps":{"signUpForm":"mandatory","document":"mandatory","liveness":"mandatory","basicInformation":"skip","form":"skip"}}});
    let d: Data<SyncResponse> = round_trip(body);
    assert_eq!(d.data.status, RegistrationStatus::Ongoing);
    assert_eq!(d.data.steps.get("document"), StepSetting::Mandatory);
    assert_eq!(d.data.steps.get("form"), StepSetting::Skip);
    let req = SyncRequest {
        step: SyncStep::End,
        status: RegistrationStatus::Completed,
    };
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({"step": "end", "status": "COMPLETED"})
    );
    let skip: SyncRequest =
        round_trip(json!({"step": "skipKYC", "status": "COMPLETED_WITHOUT_KYC"}));
    assert_eq!(skip.step, SyncStep::SkipKyc);
    let odd: SyncRequest =
        serde_json::from_value(json!({"step": "teleport", "status": "ONGOING"})).unwrap();
    assert_eq!(odd.step, SyncStep::Unknown("teleport".into()));
}

#[test]
fn otp_create_and_validate_variants() {
    // §5.5
    let created: Data<OtpValidationCreated> =
        round_trip(json!({"data":{"_id":"v1","status":"sent",
        "otp":"$2a$10$abcdefghijklmnopqrstuv","expiresAt":"2024-12-02T17:40:00.000Z"}}));
    assert_eq!(created.data.status, OtpStatus::Sent);
    let ok: Data<OtpValidated> = round_trip(json!({"data":{"_id":"v1","status":"validated"}}));
    assert_eq!(ok.data.status, OtpStatus::Validated);

    // The primary form: a string exactly as typed, leading zero kept.
    let req = ValidateEmailRequest {
        id: None,
        email: Some("a@b.co".into()),
        otp: OtpCode::new("048213"),
    };
    assert_eq!(
        serde_json::to_value(&req).unwrap(),
        json!({"email": "a@b.co", "otp": "048213"})
    );
    // The documented number form: remembered as a number, zero-padded when compared.
    let num: ValidateEmailRequest =
        serde_json::from_value(json!({"email": "a@b.co", "otp": 48213})).unwrap();
    assert_eq!(num.otp.form(), OtpForm::Number);
    assert_eq!(num.otp.expose(), "48213");
    assert_eq!(num.otp.normalized().as_deref(), Some("048213"));
    // It re-serializes as a string.
    assert_eq!(serde_json::to_value(&num).unwrap()["otp"], json!("48213"));
    let s: ValidateEmailRequest =
        serde_json::from_value(json!({"otp": "012345", "_id": "v1"})).unwrap();
    assert_eq!(s.otp.form(), OtpForm::String);
    assert_eq!(s.otp.normalized().as_deref(), Some("012345"));
    assert_eq!(s.id.as_deref(), Some("v1"));
    // Phone: id-less PUT and POST …/validate bodies.
    let p: ValidatePhoneRequest =
        round_trip(json!({"phone": "3001112233", "countryCode": "+57", "otp": "000123"}));
    assert_eq!(p.otp.normalized().as_deref(), Some("000123"));
    let p2: ValidatePhoneRequest = serde_json::from_value(json!({"id": "v9", "otp": 123})).unwrap();
    assert_eq!(p2.otp.normalized().as_deref(), Some("000123"));
    // Bad codes are errors or fail normalisation, never panics.
    assert!(serde_json::from_value::<ValidatePhoneRequest>(json!({"otp": -1})).is_err());
    assert!(serde_json::from_value::<ValidatePhoneRequest>(json!({"otp": 1.5})).is_err());
    assert!(serde_json::from_value::<ValidatePhoneRequest>(json!({"otp": [1]})).is_err());
    let absent: ValidatePhoneRequest = serde_json::from_value(json!({"phone": "1"})).unwrap();
    assert_eq!(absent.otp.normalized(), None);
    let long: ValidatePhoneRequest = serde_json::from_value(json!({"otp": 1234567})).unwrap();
    assert_eq!(long.otp.normalized(), None);
    let letters: ValidatePhoneRequest = serde_json::from_value(json!({"otp": "12a456"})).unwrap();
    assert_eq!(letters.otp.normalized(), None);

    let create = CreatePhoneValidationRequest {
        project: "p".into(),
        phone: "3001112233".into(),
        country_code: "+57".into(),
        validation_method: Some("verificationCode".into()),
        validation_type: Some("onboarding".into()),
        ..Default::default()
    };
    let v: CreatePhoneValidationRequest = round_trip(serde_json::to_value(&create).unwrap());
    assert_eq!(v, create);
    let e: CreateEmailValidationRequest = round_trip(
        json!({"project": "p", "validationMethod": "verificationCode",
        "email": "a@b.co", "type": "onboarding", "projectFlow": "f", "language": "es"}),
    );
    assert_eq!(e.validation_type.as_deref(), Some("onboarding"));
}

#[test]
fn document_upload_and_validation() {
    let req = DocumentUploadRequest {
        image: Some("/9j/4AAQ".into()),
        force: Some(true),
        document_face: Some("/9j/face".into()),
        input_method: Some(InputMethod::Camera),
        country: Some("Colombia".into()),
        category: Some("id".into()),
        ..Default::default()
    };
    let v = serde_json::to_value(&req).unwrap();
    assert_eq!(
        v,
        json!({"image": "/9j/4AAQ", "force": true, "documentFace": "/9j/face",
        "inputMethod": "CAMERA", "country": "Colombia", "category": "id"})
    );
    let back: DocumentUploadRequest = round_trip(v);
    assert_eq!(back, req);
    let lenient: DocumentUploadRequest =
        serde_json::from_value(json!({"backImage": "x", "force": "true", "inputMethod": "camera"}))
            .unwrap();
    assert_eq!(lenient.force, Some(true));
    assert_eq!(lenient.input_method, Some(InputMethod::Camera));

    // §5.6 with the Docusaurus spelling (`documentData`, lowercase status) and candidates.
    let d: Data<DocumentValidationResponse> = round_trip(json!({"data": {"documentValidation": {
        "_id": "d1", "status": "active", "documentCategory": "ID", "documentType": "CC",
        "documentNumber": "1234567890|1234567S90", "url": "https://x/front.jpg", "backUrl": null,
        "requiresBackSide": true, "validationMethod": "SCAN_PROMPT", "inputMethod": "FILE_UPLOAD",
        "documentData": {"firstName": "JUAN", "lastName": "PEREZ", "documentNumber": 1234567890u64,
            "dateOfBirth": "1990-01-31", "expirationDate": "2030-01-01", "nationality": "COL",
            "placeOfBirth": "BOGOTA", "__v": 0}
    }}}));
    let doc = d.data.document_validation;
    assert_eq!(doc.status, Some(DocumentStatus::Active));
    assert_eq!(doc.document_category, Some(DocumentCategory::Id));
    assert_eq!(doc.primary_document_number(), Some("1234567890"));
    assert_eq!(doc.document_number.as_ref().unwrap().candidates().len(), 2);
    assert_eq!(doc.names_match, None);
    let ocr = doc.ocr_extraction.as_ref().unwrap();
    assert_eq!(ocr.first_name.as_ref().unwrap().expose(), "JUAN");
    assert_eq!(
        ocr.document_number.as_ref().unwrap().primary(),
        "1234567890"
    );
    assert_eq!(ocr.extra.get("placeOfBirth"), Some(&json!("BOGOTA")));
    // namesMatch is omitted when absent, present once set.
    let v = serde_json::to_value(&doc).unwrap();
    assert!(v.get("namesMatch").is_none(), "{v}");
    assert!(v.get("OCRExtraction").is_some());
    let mut checked = doc.clone();
    checked.names_match = Some(false);
    assert_eq!(
        serde_json::to_value(&checked).unwrap()["namesMatch"],
        json!(false)
    );
}

#[test]
fn name_validation_and_background_check() {
    // §5.7
    let nv: Data<NameValidationResult> = round_trip(
        json!({"data": {"_id": "d1", "namesMatch": true,
        "fullNameMatchPercentage": "100", "firstNameMatchPercentage": 100, "lastNameMatchPercentage": 95.5,
        "infoValidationSupported": true, "isSupported": true}}),
    );
    assert_eq!(nv.data.full_name_match_percentage, Some(100.0));
    let unsupported: NameValidationResult = round_trip(json!({"_id": "d1", "isSupported": false,
        "reason": "document_not_supported", "namesMatch": null}));
    assert_eq!(unsupported.names_match, None);
    let body: NameValidationRequest = round_trip(json!({"force": true}));
    assert_eq!(body.force, Some(true));
    // §5.10
    let bc: Data<InformationValidation> =
        round_trip(json!({"data": {"_id": "i1", "status": "ACTIVE",
        "criminalData": {"foundKeys": [], "world_api_fbi": {"foundInFBI": false, "status": "clear"},
            "world_api_interpol": {"foundInInterpol": true, "status": "found"}}}}));
    let cd = bc.data.criminal_data.unwrap();
    assert_eq!(cd.sources["world_api_fbi"].status.as_deref(), Some("clear"));
    assert_eq!(
        cd.sources["world_api_interpol"].flags["foundInInterpol"],
        json!(true)
    );
    assert_eq!(bc.data.status, Some(InformationStatus::Active));
    let _: BackgroundCheckRequest = round_trip(json!({}));
    let _: ManualVerificationRequest = round_trip(json!({"reason": "name_mismatch"}));
}

#[test]
fn compare_sample() {
    // §5.9
    let d: Data<CompareResponse> = round_trip(
        json!({"data":{"appRegistration":"674de8df21c72be3cc42b8a7","compareFaceVerification":{"type":"compare",
        "result":{"score":0.85,"passed":true,"compare_min_score":0.85},"status":"success"}}}),
    );
    let c = d.data.compare_face_verification;
    assert_eq!(c.result.compare_min_score, Some(0.85));
    // Older docs omit `passed`: derived from the threshold.
    let old: CompareFaceVerification =
        round_trip(json!({"type": "compareLive", "result": {"score": 0.7}, "status": "failed"}));
    assert_eq!(old.passed(0.8), Some(false));
    assert_eq!(old.compare_type, Some(CompareType::CompareLive));
}

#[test]
fn projects_flows_and_kyc_config() {
    // §5.1
    let req: CreateProjectRequest = round_trip(
        json!({"name": "Demo", "allowedCountries": ["Colombia"],
        "contactEmail": "owner@example.com", "privacyUrl": "https://x/p", "termsAndConditionsUrl": "https://x/t",
        "demoMode": true, "demoOTP": "012345"}),
    );
    assert_eq!(
        req.demo_otp.as_ref().unwrap().normalized().as_deref(),
        Some("012345")
    );
    // §6 v2 body
    let v2: CreateFlowRequest = round_trip(
        json!({"project": "p", "type": "onboarding", "status": "active",
        "redirectUrl": "https://app/cb", "onboardingSettings": {
            "steps": {"signUpForm": "mandatory", "basicInformation": "skip", "document": "mandatory", "liveness": "mandatory", "form": "skip"},
            "signUpForm": {"fullName": true, "email": true, "phone": false, "emailGateway": "mailgun", "phoneGateway": "sms"},
            "document": {"useGovernmentID": true, "verifyNames": true, "compareMinScore": "0.85", "maxAttempts": 3},
            "liveness": {"livenessMinScore": 0.65, "searchMode": "FAST", "searchMinScore": 0.8, "maxAttempts": 3}},
        "security": {"strategy": "none", "source": "NONE"}}),
    );
    assert!(!v2.is_v3());
    let os = v2.onboarding_settings.unwrap();
    assert_eq!(os.document.compare_min_score, Some(0.85));
    assert_eq!(os.document.use_government_id, Some(true));
    // §6 v3 body
    let v3: CreateFlowRequest = round_trip(
        json!({"project": "p", "name": "KYC", "target": {"x": 1},
        "documents": {"attemptLimit": 3, "verificationMethods": ["SCAN_PROMPT"], "documentTypes": ["government_id", "passport"]},
        "liveness": {"attemptLimit": 3, "minScore": 0.6, "searchMinScore": 0.8, "searchMode": "FAST"},
        "steps": {"document": true, "liveness": "optional"}}),
    );
    assert!(v3.is_v3());
    let steps = v3.steps.unwrap();
    assert_eq!(steps["document"].setting(), StepSetting::Mandatory);
    assert_eq!(steps["liveness"].setting(), StepSetting::Optional);
    // Flow with or without `data` (§10 #8).
    let flow = json!({"_id": "f1", "project": {"_id": "p"}, "type": "onboarding", "status": "active", "onboardingSettings": {}});
    let bare: MaybeData<ProjectFlow> = serde_json::from_value(flow.clone()).unwrap();
    let wrapped: MaybeData<ProjectFlow> = serde_json::from_value(json!({"data": flow})).unwrap();
    assert_eq!(bare, wrapped);
    assert_eq!(bare.0.project, "p");
    // §11 KYC config: list form and single form.
    let list: KycConfigResponse = round_trip(
        json!({"data": {"_id": "p", "name": "Demo", "allowedCountries": [],
        "projectFlows": [{"_id": "f0", "project": "p", "type": "login"}, {"_id": "f1", "project": "p", "type": "onboarding"}]},
        "planCode": "free"}),
    );
    assert_eq!(list.data.flow().map(|f| f.id.as_str()), Some("f1"));
    let single: KycConfigResponse =
        round_trip(json!({"data": {"_id": "p", "projectFlow": {"_id": "f2", "project": "p"}}}));
    assert_eq!(single.data.flow().map(|f| f.id.as_str()), Some("f2"));
}

#[test]
fn lists_me_resend_link() {
    let page: Page<AppRegistration> =
        round_trip(json!({"data": [{"_id": "r1", "status": "STARTED"}],
        "total": "1", "page": 1, "perPage": 20}));
    assert_eq!(page.total, Some(1));
    let me: MeRequest =
        round_trip(json!({"populates": ["documentValidation", "biometricValidation"]}));
    assert_eq!(me.populates.0.len(), 2);
    let csv: MeRequest = serde_json::from_value(json!({"populates": "a, b"})).unwrap();
    assert_eq!(csv.populates.0, vec!["a", "b"]);
    assert!(serde_json::from_value::<MeRequest>(json!({"populates": 5})).is_err());
    let rl: ResendLinkRequest =
        round_trip(json!({"sendEmail": "true", "recipientEmail": "x@y.co"}));
    assert_eq!(rl.send_email, Some(true));
    let ans: Data<ResendLinkResponse> = round_trip(
        json!({"data": {"appRegistrationId": "r1", "token": "t",
        "link": "https://access.verifik.co/sign-up/p?token=t", "expiresAt": "2024-01-01T00:00:00Z", "emailSent": false}}),
    );
    assert_eq!(ans.data.token.expose(), "t");
}

#[test]
fn errors_normalise_as_section_3() {
    let e: ErrorBody =
        round_trip(json!({"code":"project_not_found","message":"404:project_not_found"}));
    assert_eq!(e.token(), "project_not_found");
    assert_eq!(e.effective_status(None), Some(404));
    let m: ErrorBody =
        round_trip(json!({"code":"MissingParameter","message":"missing project\n. missing email"}));
    assert_eq!(m.token(), "MissingParameter");
    assert_eq!(m.effective_status(None), None);
    let f: ErrorBody = round_trip(json!({"code":"Forbidden","message":"Access forbidden"}));
    assert_eq!(f.token(), "Forbidden");
    let s: ErrorBody =
        round_trip(json!({"code":"liveness_failed","message":"409:liveness_failed@0.45"}));
    assert_eq!(s.token(), "liveness_failed");
    assert_eq!(s.score(), Some(0.45));
    let v3: ErrorBody = round_trip(json!({"code":"BadRequest","message":"x","status":"400",
        "timestamp":"2024-01-01T00:00:00Z","details":[{"path":"name"}]}));
    assert_eq!(v3.effective_status(None), Some(400));
    assert_eq!(v3.effective_status(Some(409)), Some(409));
    assert_eq!(
        serde_json::to_value(ErrorBody::coded(423, "Locked", "otp_attempts_exceeded")).unwrap(),
        json!({"code": "Locked", "message": "423:otp_attempts_exceeded"})
    );
}

#[test]
fn debug_never_prints_personal_data() {
    let reg: AppRegistration = serde_json::from_value(json!({"_id": "r1", "email": "jane.doe@example.com",
        "phone": "3001112233", "fullName": "Jane Doe", "firstName": "Jane", "lastName": "Doe",
        "documentValidation": {"_id": "d1", "documentNumber": "998877", "OCRExtraction": {"firstName": "JANE",
            "dateOfBirth": "1990-01-31", "documentNumber": "998877", "secretField": "hidden-value"}}})).unwrap();
    let req = ValidateEmailRequest {
        id: None,
        email: Some("jane.doe@example.com".into()),
        otp: "012345".into(),
    };
    let up = DocumentUploadRequest {
        image: Some("/9j/IMAGEBYTES".into()),
        ..Default::default()
    };
    let created: CreateAppRegistrationResponse =
        serde_json::from_value(json!({"appRegistration": {"_id": "r"},
        "token": "eyJSECRETTOKEN"}))
        .unwrap();
    let text = format!("{reg:?} {reg:#?} {req:?} {up:?} {created:?} {}", req.otp);
    for secret in [
        "jane",
        "Jane",
        "Doe",
        "JANE",
        "3001112233",
        "998877",
        "1990-01-31",
        "hidden-value",
        "012345",
        "IMAGEBYTES",
        "SECRETTOKEN",
    ] {
        assert!(!text.contains(secret), "{secret} leaked: {text}");
    }
    assert!(text.contains("r1") && text.contains("secretField"));
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let bad = [
        json!(null),
        json!(1),
        json!("x"),
        json!({"_id": []}),
        json!({"status": 5}),
        json!({"documentAttempts": "many"}),
        json!({"documentAttempts": -1}),
        json!({"project": true}),
        json!({"documentValidation": [1]}),
        json!({"biometricValidation": {"livenessScore": "high"}}),
    ];
    for v in bad {
        assert!(
            serde_json::from_value::<AppRegistration>(v.clone()).is_err(),
            "{v}"
        );
    }
    assert!(
        !serde_json::from_value::<SyncRequest>(json!({"step": "end"}))
            .unwrap()
            .status
            .is_known()
    );
    assert!(serde_json::from_value::<SyncRequest>(json!({"step": 5})).is_err());
    assert!(serde_json::from_value::<CompareResponse>(json!({})).is_err());
    assert!(serde_json::from_str::<Data<OtpValidated>>("{\"data\":").is_err());
    assert!(serde_json::from_value::<DocumentUploadRequest>(json!({"force": "yes"})).is_err());
}
