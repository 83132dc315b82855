//! Who may see a record, from its kind's [`Audience`] (domain.md, privacy): a volunteer sees
//! what is assigned to them (and its visits) and what their district shares; a coordinator,
//! everything of their districts; everyone signed in, what is city-wide; the city sees
//! totals, not names, and an administrator manages accounts.

use crate::account::Role;
use crate::kinds::Audience;
use crate::record::{DistrictId, UserId};

/// What visibility depends on, about one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visibility<'a> {
    /// Its kind's audience (`RecordKind::audience`).
    pub audience: Audience,
    /// `None` for a city-wide record.
    pub district: Option<DistrictId>,
    /// The volunteers it is assigned to: its own for [`Audience::Assigned`], its parent's for
    /// [`Audience::ParentAssigned`]; ignored otherwise.
    pub assigned: &'a [UserId],
}

pub fn may_see(role: Role, user: UserId, districts: &[DistrictId], record: Visibility<'_>) -> bool {
    let in_district = record.district.is_some_and(|d| districts.contains(&d));
    let works_in_districts = matches!(role, Role::Volunteer | Role::Coordinator);
    match record.audience {
        Audience::Public | Audience::City => true,
        Audience::District => works_in_districts && in_district,
        Audience::Assigned | Audience::ParentAssigned => {
            in_district
                && match role {
                    Role::Coordinator => true,
                    Role::Volunteer => record.assigned.contains(&user),
                    Role::City | Role::Admin => false,
                }
        }
    }
}

/// The districts whose records a pull reads (city-wide records are read for everyone).
/// Roles that see no district's records read none; they still receive the tombstones of
/// what they lost.
pub fn pull_scope(role: Role, districts: &[DistrictId]) -> &[DistrictId] {
    match role {
        Role::Volunteer | Role::Coordinator => districts,
        Role::City | Role::Admin => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::RecordKind;

    const NORITSUKE: DistrictId = DistrictId(1);
    const KATAOKA: DistrictId = DistrictId(2);

    fn resident(district: DistrictId, assigned: &[UserId]) -> Visibility<'_> {
        Visibility {
            audience: RecordKind::Resident.audience(),
            district: Some(district),
            assigned,
        }
    }

    #[test]
    fn volunteers_see_only_residents_assigned_to_them_in_their_districts() {
        let me = UserId(7);
        assert!(may_see(
            Role::Volunteer,
            me,
            &[NORITSUKE],
            resident(NORITSUKE, &[me])
        ));
        assert!(!may_see(
            Role::Volunteer,
            me,
            &[NORITSUKE],
            resident(NORITSUKE, &[UserId(8)])
        ));
        assert!(!may_see(
            Role::Volunteer,
            me,
            &[NORITSUKE],
            resident(KATAOKA, &[me])
        ));
    }

    #[test]
    fn coordinators_see_their_districts_and_the_city_and_admins_see_no_names() {
        let sc = UserId(1);
        assert!(may_see(
            Role::Coordinator,
            sc,
            &[NORITSUKE],
            resident(NORITSUKE, &[])
        ));
        assert!(!may_see(
            Role::Coordinator,
            sc,
            &[NORITSUKE],
            resident(KATAOKA, &[])
        ));
        for role in [Role::City, Role::Admin] {
            assert!(!may_see(
                role,
                sc,
                &[NORITSUKE, KATAOKA],
                resident(NORITSUKE, &[sc])
            ));
        }
    }

    #[test]
    fn district_wide_city_wide_and_public_records_reach_whom_they_should() {
        let me = UserId(7);
        let shared = |audience, district| Visibility {
            audience,
            district,
            assigned: &[],
        };
        // A district's shared record: everyone working there, nobody else.
        for role in [Role::Volunteer, Role::Coordinator] {
            assert!(may_see(
                role,
                me,
                &[NORITSUKE],
                shared(Audience::District, Some(NORITSUKE))
            ));
            assert!(!may_see(
                role,
                me,
                &[KATAOKA],
                shared(Audience::District, Some(NORITSUKE))
            ));
        }
        assert!(!may_see(
            Role::City,
            me,
            &[NORITSUKE],
            shared(Audience::District, Some(NORITSUKE))
        ));
        // City-wide and public records (no district): everyone signed in.
        for role in Role::ALL {
            for audience in [Audience::City, Audience::Public] {
                assert!(
                    may_see(*role, me, &[], shared(audience, None)),
                    "{role:?} {audience:?}"
                );
            }
        }
        // A record shown by assignment never reaches anyone without a district of it.
        assert!(!may_see(
            Role::Coordinator,
            me,
            &[NORITSUKE],
            shared(Audience::Assigned, None)
        ));
    }

    #[test]
    fn city_and_admin_pulls_read_no_district() {
        let both = [NORITSUKE, KATAOKA];
        assert_eq!(pull_scope(Role::Coordinator, &both), &both);
        assert_eq!(pull_scope(Role::Volunteer, &both), &both);
        assert!(pull_scope(Role::City, &both).is_empty());
        assert!(pull_scope(Role::Admin, &both).is_empty());
    }
}
