//! The plan decided without a database: each case a batch and what the lookups found.

use super::*;

const DOMAIN: &str = "CORP";

fn entry(id: &str, name: &str, login: Option<&str>) -> Checked {
    Checked {
        id: id.into(),
        name: name.into(),
        login: login.map(Into::into),
        email: None,
        mobile: None,
        phone: None,
        title: None,
        employee_id: None,
        department: None,
        notes: Vec::new(),
    }
}

/// An engineer the directory synced before: its row is what `entry` gave then.
fn known(id: i64, entry: &Checked) -> Known {
    Known {
        id,
        row: Row {
            name: entry.name.clone(),
            email: entry.email.clone(),
            mobile: entry.mobile.clone(),
            phone: entry.phone.clone(),
            job_title: entry.title.clone(),
            employee_id: entry.employee_id.clone(),
            login_name: entry.login.clone(),
            login_domain: DOMAIN.into(),
            ..Row::default()
        },
        synced_mobile: entry.mobile.clone(),
        synced_email: entry.email.clone(),
        directory_missing: 0,
        directory_id: Some(entry.id.clone()),
    }
}

fn found(by_id: Vec<Known>, by_login: Vec<Known>) -> Found {
    Found {
        by_id: by_id
            .into_iter()
            .map(|k| (k.directory_id.clone().unwrap_or_default(), k))
            .collect(),
        by_login: by_login
            .into_iter()
            .map(|k| {
                (
                    login_key(k.row.login_name.as_deref().unwrap_or(""), DOMAIN),
                    k,
                )
            })
            .collect(),
        departments: HashMap::from([(fold("Ops"), 7)]),
    }
}

/// Each plan in a word, with the engineer it touches.
fn shape(plans: &[Plan<'_>]) -> Vec<(&'static str, String)> {
    plans
        .iter()
        .map(|p| match p {
            Plan::Create { entry, .. } => ("create", entry.name.clone()),
            Plan::Unchanged { entry, .. } => ("unchanged", entry.name.clone()),
            Plan::Update(u) => ("update", u.entry.name.clone()),
        })
        .collect()
}

fn notes(counts: &Counts) -> Vec<String> {
    counts.lists.notes.iter().map(ToString::to_string).collect()
}

#[test]
fn a_new_entry_is_created_and_a_known_one_left_as_it_is() {
    let ada = entry("u-ada", "Ada", Some("ada"));
    let bo = entry("u-bo", "Bo", Some("bo"));
    let entries = [ada, bo];
    let mut counts = Counts::default();
    let plans = plan(
        &entries,
        found(vec![known(1, &entries[1])], vec![]),
        DOMAIN,
        &mut counts,
    );
    assert_eq!(
        shape(&plans),
        [("create", "Ada".into()), ("unchanged", "Bo".into())]
    );
    assert_eq!(counts, Counts::default());
}

#[test]
fn what_the_directory_changed_is_updated_but_a_contact_edited_here_is_kept() {
    let before = Checked {
        mobile: Some("+86 138 0013 8000".into()),
        ..entry("u-ada", "Ada", Some("ada"))
    };
    let mut was = known(1, &before);
    was.row.mobile = Some("+86 139 0000 0001".into());
    let now = Checked {
        title: Some("Lead".into()),
        mobile: Some("+86 137 0000 0002".into()),
        ..entry("u-ada", "Ada", Some("ada"))
    };
    let entries = [now];
    let mut counts = Counts::default();
    let plans = plan(&entries, found(vec![was], vec![]), DOMAIN, &mut counts);
    let [Plan::Update(update)] = plans.as_slice() else {
        panic!("{:?}", shape(&plans));
    };
    assert_eq!(update.row.job_title.as_deref(), Some("Lead"));
    assert_eq!(update.row.mobile.as_deref(), Some("+86 139 0000 0001"));
    assert_eq!(
        notes(&counts),
        ["Ada: mobile was edited here, so the directory's is not taken"]
    );
}

#[test]
fn an_approver_keeps_the_email_the_directory_no_longer_gives() {
    let before = Checked {
        email: Some("gil@corp.example".into()),
        ..entry("u-gil", "Gil", None)
    };
    let mut was = known(3, &before);
    was.row.approve_purchase_order = true;
    let entries = [entry("u-gil", "Gil", None)];
    let mut counts = Counts::default();
    let plans = plan(&entries, found(vec![was], vec![]), DOMAIN, &mut counts);
    // The row stays as it was; what the directory gives now is remembered.
    let [Plan::Unchanged {
        contacts_moved: true,
        ..
    }] = plans.as_slice()
    else {
        panic!("{:?}", shape(&plans));
    };
    assert_eq!(
        notes(&counts),
        ["Gil: email kept, since the engineer approves purchase orders"]
    );
}

#[test]
fn an_engineer_typed_in_before_the_directory_is_adopted_by_login() {
    let typed = Known {
        directory_id: None,
        ..known(5, &entry("", "Dan Typed", Some("dan")))
    };
    let entries = [entry("u-dan", "Dan", Some("dan"))];
    let mut counts = Counts::default();
    let plans = plan(&entries, found(vec![], vec![typed]), DOMAIN, &mut counts);
    let [Plan::Update(update)] = plans.as_slice() else {
        panic!("{:?}", shape(&plans));
    };
    assert_eq!((update.known.id, update.row.name.as_str()), (5, "Dan"));
}

#[test]
fn a_login_another_engineer_holds_is_skipped_and_so_is_the_second_claim_in_a_batch() {
    // Fay's login belongs to an engineer the directory gave under another id.
    let holder = known(9, &entry("u-other", "Fay One", Some("fay")));
    let entries = [
        entry("u-fay", "Fay Two", Some("fay")),
        entry("u-jo", "Jo", Some("jo")),
        entry("u-jo2", "Jo Again", Some("JO")),
    ];
    let mut counts = Counts::default();
    let plans = plan(&entries, found(vec![], vec![holder]), DOMAIN, &mut counts);
    assert_eq!(shape(&plans), [("create", "Jo".into())]);
    assert_eq!(counts.skipped, 2);
    let skipped: Vec<String> = counts
        .lists
        .skipped
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        skipped,
        [
            "Fay Two: the login 'fay' belongs to another engineer of CORP",
            "Jo Again: the login 'JO' belongs to another engineer of CORP",
        ]
    );
}

#[test]
fn a_department_is_found_by_name_in_any_case_or_left_out_with_a_note() {
    let entries = [
        Checked {
            department: Some("OPS".into()),
            ..entry("u-a", "Ann", None)
        },
        Checked {
            department: Some("Nowhere".into()),
            ..entry("u-b", "Ben", None)
        },
    ];
    let mut counts = Counts::default();
    let plans = plan(&entries, found(vec![], vec![]), DOMAIN, &mut counts);
    let departments: Vec<Option<i64>> = plans
        .iter()
        .map(|p| match p {
            Plan::Create { department, .. } => *department,
            _ => panic!("only creates"),
        })
        .collect();
    assert_eq!(departments, [Some(7), None]);
    assert_eq!(
        notes(&counts),
        ["Ben: no department named 'Nowhere'; left without one"]
    );
}
