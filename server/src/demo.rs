//! Demo data for a first look: a few sites with groups and departments, a few dozen
//! engineers, and an `admin` account.

use crate::operator::{cli_context, create_admin, service_message};
use app::domain::{
    Email, LoginName, NewTechnician, PersonName, Phone, ShortText, SiteName, TechnicianForm,
};
use app::service::technicians::Generated;
use app::service::{auth, reference, technicians, Actor, Db};
use rand::distributions::Alphanumeric;
use rand::Rng;

const SITES: &[(&str, &[&str], &[&str])] = &[
    (
        "Beijing",
        &["Network", "Database"],
        &["Operations", "Infrastructure"],
    ),
    ("Shanghai", &["Network", "Storage"], &["Operations"]),
    ("Shenzhen", &["Compute"], &["Operations", "Security"]),
    ("Asia-Pacific", &["On-call"], &["Support"]),
    ("Frankfurt", &["Network", "On-call"], &["Operations"]),
];

const GIVEN: &[&str] = &[
    "Wei", "Li", "Ming", "Jing", "Hao", "Lan", "Tao", "Yan", "Anna", "Lukas", "Mia", "Jonas",
];
const FAMILY: &[&str] = &[
    "Zhang", "Wang", "Chen", "Liu", "Schmidt", "Tan", "Müller", "Huang",
];

/// Seeds the demo; `engineers` more, generated, when the database is new.
pub async fn seed(
    db: &Db,
    access: &crate::directory::Access,
    engineers: Option<u32>,
) -> Result<(), String> {
    let password = std::env::var("CREWDESK_ADMIN_PASSWORD").unwrap_or_else(|_| {
        rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(16)
            .map(char::from)
            .collect()
    });
    // Checked before anything is written: a refused password leaves the database as it was.
    app::service::password_strength::check(&password, &["admin"])
        .map_err(|e| format!("CREWDESK_ADMIN_PASSWORD {e}"))?;
    let existing = technicians::list_technicians(db, &Actor::operator(), &Default::default())
        .await
        .map_err(service_message)?;
    if existing.total == 0 {
        seed_roster(db).await?;
        create_admin(db, "admin", &password, "", Some("Crewdesk Admin")).await?;
        if let Some(count) = engineers {
            add_many(db, count).await?;
        }
    } else if engineers.is_some() {
        return Err(
            "the roster is not empty: --engineers fills only a new database (pick another --database-url)"
                .into(),
        );
    } else {
        auth::set_password(
            db,
            &Actor::operator(),
            &cli_context(),
            "admin",
            "",
            &password,
        )
        .await
        .map_err(service_message)?;
    }
    add_demo_directory(db, access).await?;
    println!("Demo ready. Sign in as: admin / {password}");
    Ok(())
}

/// The demo directory file: the Synchronize Engineer Info button works on first run.
pub const DEMO_DIRECTORY: &str = "demo/corp-directory.csv";

/// Configures the directory `CORP` on the demo file, unless a directory exists or the file
/// is not there (a binary run outside the source tree).
async fn add_demo_directory(db: &Db, access: &crate::directory::Access) -> Result<(), String> {
    use app::domain::directory::{DirectoryName, Preset};
    use app::service::directories::{self, NewDirectory, Source};
    let Ok(path) = std::fs::canonicalize(DEMO_DIRECTORY) else {
        return Ok(());
    };
    if !directories::list(db)
        .await
        .map_err(service_message)?
        .is_empty()
    {
        return Ok(());
    }
    let new = NewDirectory {
        name: DirectoryName::parse("CORP").map_err(|e| e.to_string())?,
        source: Source::File {
            path: path.display().to_string(),
        },
        preset: Preset::OpenLdap,
        mapping: Preset::OpenLdap.mapping(),
        typed_password: None,
    };
    directories::add(
        db,
        &Actor::operator(),
        &cli_context(),
        new,
        &access.key,
        app::service::now_ms(),
    )
    .await
    .map_err(service_message)?;
    println!(
        "Directory CORP reads {}: press Synchronize Engineer Info.",
        path.display()
    );
    Ok(())
}

async fn seed_roster(db: &Db) -> Result<(), String> {
    let operator = Actor::operator();
    let ctx = cli_context();
    for (site, groups, departments) in SITES {
        let site = SiteName::parse(site).map_err(|e| e.to_string())?;
        reference::add_site(db, &operator, &ctx, &site)
            .await
            .map_err(service_message)?;
        for group in *groups {
            let group = SiteName::parse(group).map_err(|e| e.to_string())?;
            reference::add_group(db, &operator, &ctx, &site, &group)
                .await
                .map_err(service_message)?;
        }
        for department in *departments {
            let department = SiteName::parse(department).map_err(|e| e.to_string())?;
            reference::add_department(db, &operator, &ctx, &department, Some(&site))
                .await
                .map_err(service_message)?;
        }
    }
    for i in 0..36 {
        let (site, groups, departments) = SITES[i % SITES.len()];
        let given = GIVEN[i % GIVEN.len()];
        let family = FAMILY[(i / GIVEN.len() + i) % FAMILY.len()];
        let login = format!("{}.{}{}", given.to_lowercase(), ascii(family), i);
        let form = TechnicianForm {
            name: Some(format!("{given} {family}")),
            email: Some(format!("{login}@ops.example.com")),
            mobile: Some(format!("+86 138 {:04} {:04}", 1000 + i, 2000 + i * 7)),
            job_title: Some(
                if i % 4 == 0 {
                    "Shift lead"
                } else {
                    "O&M engineer"
                }
                .to_owned(),
            ),
            tech_site_name: Some(site.to_owned()),
            department_name: Some(departments[i % departments.len()].to_owned()),
            associate_groups: Some(format!("{site}-{}", groups[i % groups.len()])),
            associate_rols: (i % 9 == 0).then(|| "SDSiteAdmin".to_owned()),
            login_name: Some(login.clone()),
            // Nobody signs in as the demo's engineers: a random password (a guessable one
            // would be refused as too weak).
            pwd: Some(
                rand::thread_rng()
                    .sample_iter(&Alphanumeric)
                    .take(20)
                    .map(char::from)
                    .collect(),
            ),
            enable_login: Some("true".to_owned()),
            ..TechnicianForm::default()
        };
        let new = NewTechnician::try_from(form).map_err(|e| e.to_string())?;
        technicians::add_technician(db, &operator, &ctx, new)
            .await
            .map_err(service_message)?;
    }
    Ok(())
}

/// Adds `count` generated engineers across the demo's sites and departments.
async fn add_many(db: &Db, count: u32) -> Result<(), String> {
    let started = std::time::Instant::now();
    let mut places = Vec::new();
    for (site, _, departments) in SITES {
        let Some(found) = reference::find_site(db, site)
            .await
            .map_err(service_message)?
        else {
            continue;
        };
        for department in *departments {
            let department = reference::find_department(db, Some(found.id), department)
                .await
                .map_err(service_message)?;
            places.push((found.id, department));
        }
    }
    let mut engineers = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
    for i in 0..count {
        let n = usize::try_from(i).map_err(|e| e.to_string())?;
        let given = GIVEN[n % GIVEN.len()];
        let family = FAMILY[(n / GIVEN.len()) % FAMILY.len()];
        let login = format!("{}.{}.{i}", given.to_lowercase(), ascii(family));
        let (site_id, department_id) = places.get(n % places.len().max(1)).copied().unzip();
        engineers.push(Generated {
            name: PersonName::parse(&format!("{given} {family} {i}")).map_err(|e| e.to_string())?,
            login: Some(LoginName::parse(&login).map_err(|e| e.to_string())?),
            email: Some(
                Email::parse(&format!("{login}@ops.example.com")).map_err(|e| e.to_string())?,
            ),
            mobile: Some(
                Phone::parse(&format!("+86 139 {:04} {:04}", i / 10_000, i % 10_000))
                    .map_err(|e| e.to_string())?,
            ),
            job_title: Some(
                ShortText::parse(if i % 10 == 0 {
                    "Shift lead"
                } else {
                    "O&M engineer"
                })
                .map_err(|e| e.to_string())?,
            ),
            site_id,
            department_id: department_id.flatten(),
        });
    }
    let added = technicians::add_generated(db, &Actor::operator(), &cli_context(), &engineers)
        .await
        .map_err(service_message)?;
    println!(
        "Added {added} generated engineers in {:.1} s. They cannot sign in, and no confirmations were sent to their made-up contacts.",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn ascii(name: &str) -> String {
    name.to_lowercase().replace('ü', "ue")
}
