//! Every domain parser on any text: it answers a value or a typed error, never panics, and a
//! value it answers parses again to itself (what is stored reads back the same).
#![no_main]

use app::domain::{
    fold, login_key, parse_address, Channel, CostPerHour, Email, LoginName, PersonName, Phone,
    Role, ShortText, SigningSecret, SiteName, UdfColumn, WebhookHosts,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    if let Ok(email) = Email::parse(text) {
        assert_eq!(Email::parse(email.as_ref()).ok().as_ref(), Some(&email));
    }
    if let Ok(phone) = Phone::parse(text) {
        assert!(Phone::parse(phone.display()).is_ok());
    }
    if let Ok(cost) = CostPerHour::parse(text) {
        assert_eq!(CostPerHour::parse(&cost.to_string()).ok(), Some(cost));
    }
    if let Ok(name) = PersonName::parse(text) {
        assert!(PersonName::parse(name.as_ref()).is_ok());
    }
    let _ = ShortText::parse(text);
    if let Ok(site) = SiteName::parse(text) {
        assert!(SiteName::parse(site.as_ref()).is_ok());
    }
    let _ = LoginName::parse(text);
    let _ = Role::parse_list(text);
    let _ = UdfColumn::parse(text);
    let hosts = WebhookHosts::default();
    for (channel, _) in Channel::with_contact_points() {
        if let Ok(address) = parse_address(channel, text, &hosts) {
            let again = parse_address(channel, &address, &hosts);
            assert_eq!(again.as_deref(), Ok(address.as_str()));
            let _ = app::domain::webhook::mask_address(channel, &address);
        }
    }
    if let Ok(secret) = SigningSecret::parse(text) {
        let _ = format!("{secret:?}");
    }
    let _ = app::domain::webhook::mask_url(text);
    let _ = app::domain::webhook::mask_secret(text);
    let _ = login_key(text, text);
    let _ = fold(text);
    let _ = app::service::lockout::account_key(text, text);
});
