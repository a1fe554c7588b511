/** The people room's front door: what other rooms may call. */
export {
  addCustomerTraits,
  claimPerson,
  createPerson,
  forgetPseudonymCache,
  issueToken,
  linkCustomer,
  type Person,
  personById,
  personByToken,
  pidFor,
  pseudonymFor,
  resolveCustomers,
  SUPPRESSED_PERSON,
  suppressCustomersOf,
} from './people.js';
